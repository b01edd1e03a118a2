import type { AssociatedImageName, SlideInfo } from '../../../src-shared/domain/slide';

/** Interleaved 8-bit RGB pixels, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The one abstraction of a slide (QuPath's ImageServer): every format plugs in behind it.
 * Coordinates x, y are level-0 pixels; width and height are pixels of the requested level.
 */
export interface SlideSource {
  /** A content fingerprint: the same file moved or renamed keeps it. */
  readonly fingerprint: string;
  readonly info: SlideInfo;
  /** Given `into` (width x height x 3 bytes), either read writes the pixels there and returns them in it. */
  readRegion(x: number, y: number, width: number, height: number, level: number, into?: Uint8Array): Promise<RgbImage>;
  /**
   * Reads width x height output pixels covering level-0 pixels from (x, y) at any downsample
   * (level-0 pixels per output pixel): the best level is resampled with antialiasing, and coarse
   * reads of a slide without a deep pyramid (a single-level slide, a PNG) come from a cached overview.
   */
  readRegionScaled(x: number, y: number, width: number, height: number, downsample: number, into?: Uint8Array): Promise<RgbImage>;
  /**
   * The whole slide, at most `maxSide` and more than half of it on its longer side: the coarsest
   * level that has at least `maxSide` pixels, box-filtered by a whole factor (the level itself
   * when it fits). Cheaper than readRegionScaled, which resamples to an exact size: for tissue
   * detection, where the mean colour of each block is what counts and the caller takes the
   * downsample from the image's size.
   */
  readCoarseOverview(maxSide: number): Promise<RgbImage>;
  readAssociated(name: AssociatedImageName): Promise<RgbImage>;
  close(): Promise<void>;
}
