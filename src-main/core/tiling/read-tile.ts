import type { SlideSource, RgbImage } from '../slides/slide-source';
import { resizeRgb } from '../imaging/rgb-image-io';
import type { GridTile, TileGrid } from './tile-grid';

/**
 * The pixels of one grid tile at the grid's resolution: read from the grid's level (at or finer
 * than the target) and downsampled with antialiasing when the target falls between levels.
 */
export async function readGridTile(source: SlideSource, grid: Pick<TileGrid, 'level' | 'tileSize'>, tile: GridTile): Promise<RgbImage> {
  const level = source.info.levels[grid.level]!;
  const width = Math.max(1, Math.round(tile.width / level.downsample));
  const height = Math.max(1, Math.round(tile.height / level.downsample));
  const region = await source.readRegion(tile.x, tile.y, width, height, grid.level);
  return resizeRgb(region, grid.tileSize, grid.tileSize);
}
