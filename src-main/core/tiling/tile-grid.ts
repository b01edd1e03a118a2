import type { SlideInfo } from '../../../src-shared/domain/slide';
import type { GridTile, TileGrid } from '../../../src-shared/domain/tiling';
import { HistoError } from '../errors';
export type { GridTile, TileGrid };
import { maskIntegral, tissueFraction, type TissueMask } from './tissue-mask';

export interface TileGridOptions {
  /** Tile side in pixels of the tile as the backbone sees it. */
  tileSize: number;
  /** Target resolution in µm per pixel; exclusive with `level`. */
  mpp?: number;
  /** A pyramid level to tile at, instead of a resolution. */
  level?: number;
  /** Overlap between neighbouring tiles, in output pixels. */
  overlap?: number;
  /** Tiles with a smaller tissue fraction are dropped (0 keeps all). */
  minTissue?: number;
}

/** Guards against grids no workstation can hold (a wrong mpp by 1000x, a tiny tile on a huge slide). */
export const MAX_GRID_TILES = 5_000_000;

/** The finest level not finer than needed: the largest downsample <= target (with float slack). */
export function levelForDownsample(info: SlideInfo, downsample: number): number {
  let chosen = 0;
  info.levels.forEach((level, index) => {
    if (level.downsample <= downsample * (1 + 1e-6)) chosen = index;
  });
  return chosen;
}

/** Resolves --mpp / --level into the read level and the output downsample. */
export function gridResolution(info: SlideInfo, options: Pick<TileGridOptions, 'mpp' | 'level'>): { level: number; downsample: number; mpp: number | null } {
  if ((options.mpp === undefined) === (options.level === undefined)) {
    throw new HistoError('VALIDATION', 'give exactly one of a target mpp or a level');
  }
  if (options.level !== undefined) {
    const level = info.levels[options.level];
    if (!Number.isInteger(options.level) || !level) {
      throw new HistoError('VALIDATION', `${info.path}: no level ${options.level} (the slide has levels 0-${info.levels.length - 1})`);
    }
    return { level: options.level, downsample: level.downsample, mpp: info.mppX === null ? null : info.mppX * level.downsample };
  }
  const mpp = options.mpp!;
  if (!(mpp > 0) || !Number.isFinite(mpp)) throw new HistoError('VALIDATION', `target mpp must be a positive number, not ${mpp}`);
  if (info.mppX === null) {
    const problem = `${info.path}: the slide's resolution (µm per pixel) is unknown, so it cannot be tiled at ${mpp} µm/px`;
    throw new HistoError('BAD_INPUT', `${problem}; set it with Set mpp on the slide in Slides, or tile at a pyramid level instead`, {
      cli: `${problem}; supply it with --mpp-override or tile by --level`,
    });
  }
  const downsample = mpp / info.mppX;
  if (downsample < 1 - 1e-6) {
    throw new HistoError('BAD_INPUT', `${info.path}: ${mpp} µm/px is finer than the scan itself (${info.mppX} µm/px); choose ${info.mppX} or coarser`);
  }
  return { level: levelForDownsample(info, downsample), downsample: Math.max(1, downsample), mpp };
}

/**
 * Cuts the slide into a grid of whole tiles at the target resolution, in level-0 coordinates,
 * and gives each its tissue fraction from the mask.
 */
export function planTileGrid(info: SlideInfo, mask: TissueMask | null, options: TileGridOptions): TileGrid {
  const tileSize = options.tileSize;
  if (!Number.isInteger(tileSize) || tileSize < 8 || tileSize > 8192) {
    throw new HistoError('VALIDATION', `tile size must be a whole number of pixels between 8 and 8192, not ${tileSize}`);
  }
  const overlap = options.overlap ?? 0;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tileSize) {
    throw new HistoError('VALIDATION', `overlap must be a whole number of pixels from 0 to ${tileSize - 1}, not ${overlap}`);
  }
  const minTissue = options.minTissue ?? 0;
  if (!(minTissue >= 0 && minTissue <= 1)) throw new HistoError('VALIDATION', `min tissue must lie in [0, 1], not ${minTissue}`);

  const { level, downsample, mpp } = gridResolution(info, options);
  const extent = Math.round(tileSize * downsample);
  const stride = Math.max(1, Math.round((tileSize - overlap) * downsample));
  const columns = info.width >= extent ? Math.floor((info.width - extent) / stride) + 1 : 0;
  const rows = info.height >= extent ? Math.floor((info.height - extent) / stride) + 1 : 0;
  if (columns * rows > MAX_GRID_TILES) {
    throw new HistoError('BAD_INPUT', `${info.path}: ${columns} x ${rows} tiles is more than ${MAX_GRID_TILES}; choose a coarser mpp or a larger tile`);
  }
  const integral = mask ? maskIntegral(mask) : null;
  const tiles: GridTile[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const x = column * stride;
      const y = row * stride;
      const tissue = mask && integral ? tissueFraction(mask, integral, x, y, extent, extent) : 1;
      if (tissue >= minTissue) tiles.push({ x, y, width: extent, height: extent, tissue: Math.round(tissue * 1e4) / 1e4 });
    }
  }
  return { count: tiles.length, mpp, level, downsample, tileSize, tiles };
}
