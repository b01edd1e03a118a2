import { HistoError } from '../../../src-main/core/errors';
import { describe, expect, it } from 'vitest';
import type { SlideInfo } from '../../../src-shared/domain/slide';
import { gridResolution, planTileGrid } from '../../../src-main/core/tiling/tile-grid';
import type { TissueMask } from '../../../src-main/core/tiling/tissue-mask';

/** A 4-level pyramid at 0.25 µm/px, 10000 x 8000 px. */
function pyramid(mpp: number | null = 0.25): SlideInfo {
  return {
    path: '/slides/test.svs',
    format: 'tiff',
    vendor: null,
    width: 10000,
    height: 8000,
    levels: [1, 4, 16, 32].map((d) => ({ width: Math.round(10000 / d), height: Math.round(8000 / d), downsample: d, tileWidth: 256, tileHeight: 256 })),
    mppX: mpp,
    mppY: mpp,
    magnification: 40,
    associated: [],
  };
}

describe('tile grid', () => {
  it('at 0.5 µm/px on a 0.25 µm/px slide reads level 0 and makes 448 px level-0 tiles', () => {
    const grid = planTileGrid(pyramid(), null, { tileSize: 224, mpp: 0.5 });
    expect(grid).toMatchObject({ level: 0, downsample: 2, mpp: 0.5 });
    expect(grid.tiles[0]).toEqual({ x: 0, y: 0, width: 448, height: 448, tissue: 1 });
    expect(grid.tiles[1]).toMatchObject({ x: 448, y: 0 });
    expect(grid.count).toBe(Math.floor(10000 / 448) * Math.floor(8000 / 448));
    expect(grid.tiles.every((t) => t.x + t.width <= 10000 && t.y + t.height <= 8000)).toBe(true);
  });

  it('reads the nearest finer level when the target falls between levels', () => {
    // 2 µm/px = downsample 8: between levels 1 (4x) and 2 (16x): read level 1.
    expect(gridResolution(pyramid(), { mpp: 2 })).toEqual({ level: 1, downsample: 8, mpp: 2 });
    // Exactly a level's resolution reads that level.
    expect(gridResolution(pyramid(), { mpp: 4 })).toMatchObject({ level: 2, downsample: 16 });
    expect(gridResolution(pyramid(), { mpp: 100 })).toMatchObject({ level: 3, downsample: 400 });
  });

  it('tiles at a level, with overlap', () => {
    const grid = planTileGrid(pyramid(), null, { tileSize: 256, level: 1, overlap: 56 });
    expect(grid).toMatchObject({ level: 1, downsample: 4, mpp: 1 });
    expect(grid.tiles[0]).toMatchObject({ width: 1024, height: 1024 });
    expect(grid.tiles[1]!.x).toBe(800); // (256 - 56) * 4
  });

  it('refuses to tile by mpp when the slide has none, and says how to fix it', () => {
    const refusal = (() => {
      try {
        planTileGrid(pyramid(null), null, { tileSize: 224, mpp: 0.5 });
      } catch (err) {
        return err as HistoError;
      }
      throw new Error('expected a refusal');
    })();
    // The app names its control; the CLI its flag.
    expect(refusal.message).toMatch(/\/slides\/test\.svs: the slide's resolution .* is unknown.*Set mpp/);
    expect(refusal.cli).toMatch(/\/slides\/test\.svs: the slide's resolution .* is unknown.*--mpp-override/);
    expect(planTileGrid(pyramid(null), null, { tileSize: 224, level: 0 }).mpp).toBeNull();
  });

  it('refuses absurd requests', () => {
    expect(() => planTileGrid(pyramid(), null, { tileSize: 224, mpp: 0.1 })).toThrow(/finer than the scan/);
    expect(() => planTileGrid(pyramid(), null, { tileSize: 224, level: 9 })).toThrow(/no level 9/);
    expect(() => planTileGrid(pyramid(), null, { tileSize: 224, mpp: 0.5, overlap: 224 })).toThrow(/overlap/);
    expect(() => planTileGrid({ ...pyramid(), width: 10_000_000, height: 10_000_000 }, null, { tileSize: 8, level: 0 })).toThrow(/more than/);
  });

  it('gives each tile its tissue fraction from the mask and filters by minTissue', () => {
    // Mask of 100 x 80 px over the 10000 x 8000 slide (100 level-0 px per mask pixel): left half tissue.
    const data = new Uint8Array(100 * 80);
    for (let y = 0; y < 80; y++) for (let x = 0; x < 50; x++) data[y * 100 + x] = 1;
    const mask: TissueMask = { width: 100, height: 80, downsampleX: 100, downsampleY: 100, data, threshold: 20 };
    const all = planTileGrid(pyramid(), mask, { tileSize: 224, mpp: 0.5 });
    const straddling = all.tiles.find((t) => t.x < 5000 && t.x + t.width > 5000)!;
    expect(straddling.tissue).toBeCloseTo((5000 - straddling.x) / 448, 3);
    expect(all.tiles.find((t) => t.x === 0)!.tissue).toBe(1);
    expect(all.tiles.find((t) => t.x > 5000)!.tissue).toBe(0);
    const kept = planTileGrid(pyramid(), mask, { tileSize: 224, mpp: 0.5, minTissue: 0.5 });
    expect(kept.tiles.every((t) => t.tissue >= 0.5)).toBe(true);
    expect(kept.count).toBeLessThan(all.count);
    expect(kept.count).toBeGreaterThan(0);
  });
});
