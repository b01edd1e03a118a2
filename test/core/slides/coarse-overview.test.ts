import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boxReduced, boxReduceInto } from '../../../src-main/core/slides/box-reduce';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import { readGridReduced, type TileGrid } from '../../../src-main/core/slides/region';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { computeTissueMask } from '../../../src-main/core/tiling/tissue-mask';
import { writePyramid } from '../../fixtures/slide-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

/** The box filter stated plainly: each output pixel is the rounded mean of the image pixels in its block. */
function naiveBoxReduce(src: RgbImage, validWidth: number, validHeight: number, factor: number): RgbImage {
  const width = Math.ceil(validWidth / factor);
  const height = Math.ceil(validHeight / factor);
  const data = new Uint8Array(width * height * 3);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let y = oy * factor; y < Math.min(validHeight, (oy + 1) * factor); y++) {
          for (let x = ox * factor; x < Math.min(validWidth, (ox + 1) * factor); x++, n++) sum += src.data[(y * src.width + x) * 3 + c]!;
        }
        data[(oy * width + ox) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return { width, height, data };
}

function noise(width: number, height: number, seed: number): RgbImage {
  let state = seed;
  const data = Uint8Array.from({ length: width * height * 3 }, () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24));
  return { width, height, data };
}

/** A tissue-like slide: a coloured disc (radius 0.3 of the shorter side) on white glass, so the mask has something to find. */
function discPixels(width: number, height: number, ds: number): RgbImage {
  const radius = 0.3 * Math.min(width, height);
  const w = Math.ceil(width / ds);
  const h = Math.ceil(height / ds);
  const data = new Uint8Array(w * h * 3).fill(240);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x * ds - width / 2;
      const dy = y * ds - height / 2;
      if (dx * dx + dy * dy < radius ** 2) data.set([180 + ((x * 3) & 15), 90, 150 + ((y * 5) & 15)], (y * w + x) * 3);
    }
  }
  return { width: w, height: h, data };
}

describe('box reduction', () => {
  it('averages only the image pixels of each block, at the edges too, whatever the factor', () => {
    const src = noise(37, 29, 7);
    for (const factor of [1, 2, 3, 4, 5, 8]) {
      for (const [vw, vh] of [[37, 29], [33, 21], [4, 3]] as const) {
        const fast = boxReduced(src, vw, vh, factor);
        expect(Buffer.from(fast.data).equals(Buffer.from(naiveBoxReduce(src, vw, vh, factor).data))).toBe(true);
      }
    }
  });

  it('writes into a larger image at an offset and never past its edge', () => {
    const src = noise(16, 16, 3);
    const dst: RgbImage = { width: 6, height: 5, data: new Uint8Array(6 * 5 * 3).fill(7) };
    boxReduceInto(src, 16, 16, 4, dst, 3, 2); // 4 x 4 blocks placed at (3, 2): only 3 x 3 fit
    const whole = naiveBoxReduce(src, 16, 16, 4);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 6; x++) {
        const inside = x >= 3 && y >= 2;
        const got = Array.from(dst.data.subarray((y * 6 + x) * 3, (y * 6 + x) * 3 + 3));
        expect(got).toEqual(inside ? Array.from(whole.data.subarray(((y - 2) * 4 + x - 3) * 3, ((y - 2) * 4 + x - 3) * 3 + 3)) : [7, 7, 7]);
      }
    }
  });
});

describe('the coarse overview (tissue detection reads it)', () => {
  const tmp = useTempDir();

  it('box-reduces tiles where they are decoded, equal to reducing the whole level, and no larger than asked', async () => {
    // Level 1 is 600 x 450 in 128-pixel JPEG tiles (ragged at the right and bottom edges).
    const file = await writePyramid(path.join(tmp(), 'pyramid.tif'), { width: 2400, height: 1800, tile: 128, downsamples: [1, 4], compression: 'jpeg', pixels: discPixels });
    const slide = await openSlide(file);
    try {
      const level1 = await slide.readRegion(0, 0, 600, 450, 1);
      // 2400 / 160 = 15 level-0 pixels per output pixel: level 1 (4) is the coarsest at least that fine, reduced by ceil(600 / 160) = 4.
      const overview = await slide.readCoarseOverview(160);
      expect([overview.width, overview.height]).toEqual([150, 113]);
      expect(Buffer.from(overview.data).equals(Buffer.from(boxReduced(level1, 600, 450, 4).data))).toBe(true);

      // The same reduction read here in chunks (a grid without reduced tile reads) gives the same pixels.
      const grid: TileGrid = { width: 600, height: 450, tileWidth: 128, tileHeight: 128, readTile: (tx, ty) => slide.readRegion(tx * 512, ty * 512, 128, 128, 1) };
      const chunked = await readGridReduced(grid, 4);
      expect(Buffer.from(chunked.data).equals(Buffer.from(overview.data))).toBe(true);

      // A factor that does not divide the tiles (128 / 3) takes the chunked path: still the exact box filter.
      const byThree = await slide.readCoarseOverview(200);
      expect([byThree.width, byThree.height]).toEqual([200, 150]);
      expect(Buffer.from(byThree.data).equals(Buffer.from(boxReduced(level1, 600, 450, 3).data))).toBe(true);

      // Every size asked for: at most maxSide, more than half of it.
      for (const maxSide of [40, 64, 100, 333, 600, 1000, 2400, 5000]) {
        const image = await slide.readCoarseOverview(maxSide);
        const longer = Math.max(image.width, image.height);
        expect(longer).toBeLessThanOrEqual(maxSide);
        expect(longer).toBeGreaterThan(Math.min(maxSide, 2400) / 2);
      }
      await expect(slide.readCoarseOverview(0)).rejects.toThrow(/pyramid\.tif: overview size 0/);
    } finally {
      await slide.close();
    }
  });

  it('serves a slide without a deep pyramid from its cached overview, and finds the tissue on it', async () => {
    // One level, wider than the cached overview's 4096 pixels: that overview is the level reduced by 3.
    const file = await writePyramid(path.join(tmp(), 'flat.tif'), { width: 9000, height: 1500, tile: 256, downsamples: [1], compression: 'jpeg', pixels: discPixels });
    const slide = await openSlide(file);
    try {
      const overview = await slide.readCoarseOverview(400);
      expect([overview.width, overview.height]).toEqual([375, 63]);
      const level0 = await slide.readRegion(0, 0, 9000, 1500, 0);
      const cached = boxReduced(level0, 9000, 1500, 3);
      expect(Buffer.from(overview.data).equals(Buffer.from(boxReduced(cached, 3000, 500, 8).data))).toBe(true);

      const mask = await computeTissueMask(slide, { maxSide: 400 });
      expect(mask.downsampleX).toBeCloseTo(9000 / 375, 6);
      // The disc covers pi * 450^2 of 9000 x 1500 pixels: 4.7%.
      const tissue = mask.data.reduce((a, b) => a + b, 0) / mask.data.length;
      expect(tissue).toBeGreaterThan(0.04);
      expect(tissue).toBeLessThan(0.055);
    } finally {
      await slide.close();
    }
  });
});
