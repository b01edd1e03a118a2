/** The TIFF tags this reader uses (TIFF 6.0, TIFF Technical Note 2, Adobe DNG and Aperio). */
export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  ImageDescription: 270,
  Make: 271,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SubIFDs: 330,
  /** Adobe XMP packet (Ventana keeps its iScan and EncodeInfo XML here). */
  XMP: 700,
  ExtraSamples: 338,
  SampleFormat: 339,
  JPEGTables: 347,
  YCbCrSubSampling: 530,
  ImageDepth: 32997,
  /** Hamamatsu NDPI: present (value 1) in every NDPI IFD. */
  NdpiFormatFlag: 65420,
  /** NDPI: objective magnification of this image; -1 macro, -2 map of scanned regions. */
  NdpiSourceLens: 65421,
  /** NDPI: offsets of the restart-marker intervals in the strip's JPEG (low and high 32 bits). */
  NdpiMcuStarts: 65426,
  NdpiMcuStartsHigh: 65432,
} as const;

/** Tags whose values we load; any other tag is skipped without reading its payload. */
export const LOADED_TAGS: ReadonlySet<number> = new Set(Object.values(Tag));

export const Compression = {
  None: 1,
  Lzw: 5,
  OldJpeg: 6,
  Jpeg: 7,
  AdobeDeflate: 8,
  PackBits: 32773,
  Deflate: 32946,
  /** Aperio JPEG 2000 whose components are YCbCr (the codestream itself carries no colour transform). */
  AperioJ2kYcbcr: 33003,
  /** Aperio JPEG 2000 with RGB components. */
  AperioJ2kRgb: 33005,
  /** JPEG 2000 as written by some OME / Leica / GDAL writers. */
  Jpeg2000: 34712,
  Zstd: 50000,
  WebP: 50001,
} as const;

export const Photometric = {
  MinIsWhite: 0,
  MinIsBlack: 1,
  Rgb: 2,
  Palette: 3,
  YCbCr: 6,
} as const;

export function compressionName(code: number): string {
  const names: Record<number, string> = {
    1: 'none', 2: 'CCITT RLE', 3: 'CCITT G3', 4: 'CCITT G4', 5: 'LZW', 6: 'old-style JPEG', 7: 'JPEG',
    8: 'Deflate', 32773: 'PackBits', 32946: 'Deflate', 33003: 'JPEG 2000 (Aperio YCbCr)',
    33005: 'JPEG 2000 (Aperio RGB)', 34712: 'JPEG 2000', 34887: 'LERC', 34925: 'LZMA', 50000: 'Zstandard',
    50001: 'WebP', 50002: 'JPEG XL',
  };
  return names[code] ?? `unknown (${code})`;
}
