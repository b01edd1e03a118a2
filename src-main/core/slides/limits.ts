/**
 * Bounds every size read from an untrusted file is checked against before anything is allocated
 * from it. Generous for real slides (the largest whole-slide scans are ~250k px on a side),
 * small enough that a hostile header cannot make us allocate gigabytes or loop for minutes.
 */
export const SLIDE_LIMITS = {
  /** Largest width or height of any image in a slide. */
  maxDimension: 1 << 21,
  /** Most IFDs (pages plus SubIFDs) followed in one TIFF. */
  maxIfds: 4096,
  /** Most entries in one IFD (classic TIFF allows 65535; nothing real needs more than a few dozen). */
  maxTagsPerIfd: 4096,
  /** Most tiles (or strips) in one image. */
  maxTilesPerImage: 1 << 24,
  /** Largest decoded tile or strip, in pixels (a 8192 x 8192 tile, or a 2^26-pixel strip). */
  maxTilePixels: 1 << 26,
  /** Largest compressed tile or strip, in bytes. */
  maxTileBytes: 1 << 28,
  /** Largest single tag value we read (ImageDescription, XML, JPEGTables, offsets arrays). */
  maxTagBytes: 1 << 28,
  /** Largest region one readRegion call may return, in pixels (16384 x 16384). */
  maxRegionPixels: 1 << 28,
  /** Largest PNG / JPEG decoded whole into memory, in pixels. */
  maxSingleImagePixels: 1 << 27,
  /** Longest side of the cached overview a single-level slide serves coarse reads from. */
  overviewMaxSide: 4096,
} as const;
