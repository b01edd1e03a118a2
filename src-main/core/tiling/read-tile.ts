import type { SlideSource, RgbImage } from '../slides/slide-source';
import type { GridTile } from '../../../src-shared/domain/tiling';

/**
 * The pixels of one grid tile at `outputSize` x `outputSize`: the reader picks the level at or
 * finer than the needed resolution and downsamples with antialiasing when it falls between levels.
 * Given `into`, the pixels are written there (see SlideSource).
 */
export function readGridTile(source: SlideSource, tile: GridTile, outputSize: number, into?: Uint8Array): Promise<RgbImage> {
  return source.readRegionScaled(tile.x, tile.y, outputSize, outputSize, tile.width / outputSize, into);
}
