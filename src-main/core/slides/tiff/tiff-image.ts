import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import type { Ifd } from './tiff-file';
import { tagBytes, tagNumber, tagNumbers, tagString } from './tiff-file';
import { Compression, Photometric, Tag, compressionName } from './tiff-tags';

/** How one tile's bytes turn into RGB: everything a decoder (in a worker) needs besides the bytes. */
export interface TileCodec {
  compression: number;
  photometric: number;
  samplesPerPixel: number;
  predictor: number;
  /** Full (padded) tile size: what the tile's bytes encode. */
  tileWidth: number;
  tileHeight: number;
  jpegTables: Uint8Array | null;
  /**
   * Set when each tile is a bare JPEG restart interval (NDPI): the header that makes it a JPEG
   * (frame size = tile size). The tile's bytes then hold only entropy-coded data.
   */
  restartHeader?: Uint8Array;
}

/** One image (a pyramid level or an associated image) of a TIFF: geometry, tile table, codec. */
export interface TiffImage {
  ifd: Ifd;
  width: number;
  height: number;
  tiled: boolean;
  /** Tile size; for strips, the image width by RowsPerStrip. */
  tileWidth: number;
  tileHeight: number;
  tilesAcross: number;
  tilesDown: number;
  offsets: number[];
  byteCounts: number[];
  codec: TileCodec;
  description: string;
  /** The XMP packet, '' when there is none. */
  xmp: string;
  newSubfileType: number;
}

const SUPPORTED_COMPRESSIONS: ReadonlySet<number> = new Set([
  Compression.None, Compression.Lzw, Compression.Jpeg, Compression.AdobeDeflate, Compression.Deflate,
  Compression.AperioJ2kYcbcr, Compression.AperioJ2kRgb, Compression.Jpeg2000, Compression.WebP, Compression.PackBits,
]);

/**
 * Reads and checks one IFD's geometry and tile table against the file size and SLIDE_LIMITS.
 * Codec support is checked by `checkDecodable`, so an odd associated image cannot stop a slide opening.
 */
export function describeImage(path: string, ifd: Ifd, fileSize: number): TiffImage {
  const what = `image ${ifd.id}`;
  const width = tagNumber(ifd, Tag.ImageWidth);
  const height = tagNumber(ifd, Tag.ImageLength);
  if (width === undefined || height === undefined) throw badSlide(path, `${what} has no ImageWidth/ImageLength`);
  checkDimension(path, what, 'width', width);
  checkDimension(path, what, 'height', height);
  const depth = tagNumber(ifd, Tag.ImageDepth) ?? 1;
  if (depth !== 1) throw badSlide(path, `${what} is a 3-D image (ImageDepth ${depth}), which is not supported`);

  const tileW = tagNumber(ifd, Tag.TileWidth);
  const tileH = tagNumber(ifd, Tag.TileLength);
  const tiled = tileW !== undefined || tileH !== undefined;
  let tileWidth: number;
  let tileHeight: number;
  let offsets: number[] | undefined;
  let byteCounts: number[] | undefined;
  if (tiled) {
    if (tileW === undefined || tileH === undefined || tileW < 1 || tileH < 1 || tileW > 65536 || tileH > 65536) {
      throw badSlide(path, `${what} has an invalid tile size ${tileW}x${tileH}`);
    }
    tileWidth = tileW;
    tileHeight = tileH;
    offsets = tagNumbers(ifd, Tag.TileOffsets);
    byteCounts = tagNumbers(ifd, Tag.TileByteCounts);
  } else {
    tileWidth = width;
    const rows = tagNumber(ifd, Tag.RowsPerStrip) ?? height;
    tileHeight = Math.max(1, Math.min(rows, height));
    offsets = tagNumbers(ifd, Tag.StripOffsets);
    byteCounts = tagNumbers(ifd, Tag.StripByteCounts);
  }
  // An NDPI level is one huge JPEG strip, read in restart-interval tiles (vendors/hamamatsu.ts).
  if (tileWidth * tileHeight > SLIDE_LIMITS.maxTilePixels && !ifd.tags.has(Tag.NdpiMcuStarts)) {
    throw badSlide(path, `${what} has ${tiled ? 'tiles' : 'strips'} of ${tileWidth}x${tileHeight} pixels, larger than the limit of ${SLIDE_LIMITS.maxTilePixels}`);
  }
  const tilesAcross = Math.ceil(width / tileWidth);
  const tilesDown = Math.ceil(height / tileHeight);
  const planar = tagNumber(ifd, Tag.PlanarConfiguration) ?? 1;
  const spp = tagNumber(ifd, Tag.SamplesPerPixel) ?? 1;
  const expected = tilesAcross * tilesDown * (planar === 2 ? spp : 1);
  if (expected > SLIDE_LIMITS.maxTilesPerImage) throw badSlide(path, `${what} claims ${expected} tiles, more than the limit of ${SLIDE_LIMITS.maxTilesPerImage}`);
  const unit = tiled ? 'tile' : 'strip';
  if (!offsets || !byteCounts) throw badSlide(path, `${what} has no ${unit} offsets or byte counts`);
  if (offsets.length < expected || byteCounts.length < expected) {
    throw badSlide(path, `${what} is ${width}x${height} in ${unit}s of ${tileWidth}x${tileHeight}, which needs ${expected} ${unit}s, but its ${unit} table lists ${Math.min(offsets.length, byteCounts.length)}`);
  }
  for (let i = 0; i < expected; i++) {
    const off = offsets[i]!;
    const n = byteCounts[i]!;
    if (n > SLIDE_LIMITS.maxTileBytes) throw badSlide(path, `${unit} ${i} of ${what} claims ${n} bytes`);
    if (n > 0 && off + n > fileSize) {
      throw badSlide(path, `${unit} ${i} of ${what} lies past the end of the file (bytes ${off}..${off + n} of ${fileSize}; truncated file?)`);
    }
  }

  const compression = tagNumber(ifd, Tag.Compression) ?? 1;
  const defaultPhotometric = spp >= 3 ? Photometric.Rgb : Photometric.MinIsBlack;
  return {
    ifd,
    width,
    height,
    tiled,
    tileWidth,
    tileHeight,
    tilesAcross,
    tilesDown,
    offsets,
    byteCounts,
    codec: {
      compression,
      photometric: tagNumber(ifd, Tag.Photometric) ?? defaultPhotometric,
      samplesPerPixel: spp,
      predictor: tagNumber(ifd, Tag.Predictor) ?? 1,
      tileWidth,
      tileHeight,
      jpegTables: tagBytes(ifd, Tag.JPEGTables) ?? null,
    },
    description: tagString(ifd, Tag.ImageDescription) ?? '',
    xmp: tagString(ifd, Tag.XMP) ?? '',
    newSubfileType: tagNumber(ifd, Tag.NewSubfileType) ?? 0,
  };
}

/** Throws a clear error when this image's pixels are in a form we cannot decode. */
export function checkDecodable(path: string, image: TiffImage): void {
  const what = `image ${image.ifd.id}`;
  const { compression, photometric, samplesPerPixel: spp, predictor } = image.codec;
  if (!SUPPORTED_COMPRESSIONS.has(compression)) {
    throw badSlide(path, `${what} uses unsupported compression ${compressionName(compression)}`);
  }
  const bits = tagNumbers(image.ifd, Tag.BitsPerSample) ?? [1];
  if (bits.some((b) => b !== 8)) throw badSlide(path, `${what} has ${bits.join('/')} bits per sample; only 8-bit images are supported`);
  const format = tagNumber(image.ifd, Tag.SampleFormat) ?? 1;
  if (format !== 1) throw badSlide(path, `${what} has non-integer samples (SampleFormat ${format})`);
  if (spp < 1 || spp > 4) throw badSlide(path, `${what} has ${spp} samples per pixel`);
  if ((tagNumber(image.ifd, Tag.PlanarConfiguration) ?? 1) !== 1 && spp > 1) {
    throw badSlide(path, `${what} stores colour planes separately (PlanarConfiguration 2), which is not supported`);
  }
  const isJ2k = compression === Compression.AperioJ2kRgb || compression === Compression.AperioJ2kYcbcr || compression === Compression.Jpeg2000;
  const isCodecColour = compression === Compression.Jpeg || isJ2k || compression === Compression.WebP;
  const okPhotometric = isCodecColour
    ? [Photometric.MinIsBlack, Photometric.Rgb, Photometric.YCbCr].includes(photometric as 1 | 2 | 6)
    : [Photometric.MinIsBlack, Photometric.MinIsWhite, Photometric.Rgb].includes(photometric as 0 | 1 | 2);
  if (!okPhotometric) throw badSlide(path, `${what} has unsupported photometric interpretation ${photometric} with compression ${compressionName(compression)}`);
  if (predictor !== 1 && predictor !== 2) throw badSlide(path, `${what} uses unsupported predictor ${predictor}`);
}

function checkDimension(path: string, what: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > SLIDE_LIMITS.maxDimension) {
    throw badSlide(path, `${what} claims a ${name} of ${value} pixels (limit ${SLIDE_LIMITS.maxDimension})`);
  }
}
