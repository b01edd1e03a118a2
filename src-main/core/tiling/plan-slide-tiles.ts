import type { TileGrid } from '../../../src-shared/domain/tiling';
import { openSlide } from '../slides/open-slide';
import { computeTissueMask } from './tissue-mask';
import { gridResolution, planTileGrid, type TileGridOptions } from './tile-grid';

/** Opens a slide, finds its tissue and plans the tile grid; the slide is closed again. */
export async function planSlideTiles(file: string, options: TileGridOptions & { mppOverride?: number }): Promise<TileGrid> {
  const source = await openSlide(file, { mppOverride: options.mppOverride });
  try {
    // Resolve the resolution first: a slide without mpp is refused before any pixel is decoded.
    gridResolution(source.info, options);
    const mask = await computeTissueMask(source);
    return planTileGrid(source.info, mask, options);
  } finally {
    await source.close();
  }
}
