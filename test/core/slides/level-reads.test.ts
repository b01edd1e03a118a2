import { describe, expect, it } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import type { TileCompression } from '../../fixtures/slide-fixtures';
import { crop, encodeChunks, meanAbsDiff, patternAt, solidImage, stripPage } from '../../fixtures/slide-fixtures';
import type { TiffPage } from '../../fixtures/tiff-writer';
import { writeTiff } from '../../fixtures/tiff-writer';
import { openSlidePython, openSlideRegions } from '../../helpers/openslide-python';
import { useTempDir } from '../../helpers/temp-dir';

// Level sizes whose downsamples are not integers (1111/555 = 2.0018, 777/388 = 2.0026, ...), as a
// scanner that halves odd sizes with floor writes them.
const LEVEL_SIZES = [[1111, 777], [555, 388], [277, 194], [138, 97]] as const;
const [W0, H0] = LEVEL_SIZES[0];

/** Each level's pixels: the fixture pattern, with a blue channel that changes every pixel so a one-pixel shift shows. */
function levelImage(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g] = patternAt(Math.min(W0 - 1, Math.floor((x * W0) / w)), Math.min(H0 - 1, Math.floor((y * H0) / h)), W0, H0);
      data.set([r, g, (x * 7 + y * 13) & 255], (y * w + x) * 3);
    }
  }
  return { width: w, height: h, data };
}

async function writeSlide(file: string, compression: TileCompression, aperio: boolean): Promise<RgbImage[]> {
  const images = LEVEL_SIZES.map(([w, h]) => levelImage(w, h));
  const pages: TiffPage[] = [];
  for (const [index, image] of images.entries()) {
    const encoded = await encodeChunks(image, 128, 128, compression);
    pages.push({
      width: image.width, height: image.height, tile: { width: 128, height: 128 },
      compression: { deflate: 32946, 'j2k-rgb': 33005 }[compression as 'deflate' | 'j2k-rgb'], photometric: 2, chunks: encoded.chunks,
      ...(index === 0 && aperio ? { description: `Aperio Image Library v12.0.5\r\n${W0}x${H0} [0,0 ${W0}x${H0}] (128x128) J2K/KDU Q=70|AppMag = 20|MPP = 0.5` } : {}),
      ...(index > 0 ? { newSubfileType: 1 } : {}),
    });
  }
  // Aperio's second IFD is the thumbnail.
  if (aperio) pages.splice(1, 0, await stripPage(solidImage(64, 45, [200, 100, 50]), 'deflate'));
  fs.writeFileSync(file, writeTiff(pages));
  return images;
}

/**
 * An independent statement of OpenSlide's rule: output pixel (i, j) of a level-L read at level-0
 * (x, y) samples the level at (x / d + i, y / d + j) with bilinear weights, d being the mean of the
 * width and height ratios.
 */
function expectedRead(level: RgbImage, downsample: number, x: number, y: number, w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3).fill(255);
  const at = (px: number, py: number, c: number): number => (px < level.width && py < level.height ? level.data[(py * level.width + px) * 3 + c]! : 255);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const sx = x / downsample + i;
      const sy = y / downsample + j;
      const px = Math.floor(sx);
      const py = Math.floor(sy);
      const fx = sx - px;
      const fy = sy - py;
      for (let c = 0; c < 3; c++) {
        const top = at(px, py, c) * (1 - fx) + at(px + 1, py, c) * fx;
        const bottom = at(px, py + 1, c) * (1 - fx) + at(px + 1, py + 1, c) * fx;
        data[(j * w + i) * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width: w, height: h, data };
}

/** Regions (level-0 x, y, level, width, height) at every level, crossing tile edges, inside the image (OpenSlide leaves the outside transparent). */
const REGIONS = [
  [600, 500, 1, 200, 60],
  [301, 199, 1, 120, 100],
  [601, 403, 2, 90, 70],
  [222, 150, 3, 60, 50],
  [0, 0, 1, 150, 150],
  [517, 333, 0, 140, 90],
] as const;

describe('level reads with non-integer downsamples', () => {
  const tempDir = useTempDir();

  for (const [compression, aperio] of [['deflate', false], ['j2k-rgb', true]] as const) {
    it(`start where OpenSlide starts at every level (${aperio ? 'Aperio JPEG 2000' : 'generic TIFF, Deflate'})`, async () => {
      const file = path.join(tempDir(), aperio ? 'nonint.svs' : 'nonint.tif');
      const images = await writeSlide(file, compression, aperio);
      const slide = await openSlide(file);
      try {
        const downsamples = slide.info.levels.map((l) => l.downsample);
        expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual(LEVEL_SIZES.map((s) => [...s]));
        // OpenSlide's downsample: the mean of the width and height ratios, never rounded.
        for (const [i, [w, h]] of LEVEL_SIZES.entries()) expect(downsamples[i]).toBeCloseTo((W0 / w + H0 / h) / 2, 12);
        expect(downsamples.slice(1).every((d) => !Number.isInteger(d))).toBe(true);
        for (const [x, y, level, w, h] of REGIONS) {
          const ours = await slide.readRegion(x, y, w, h, level);
          const expected = expectedRead(images[level]!, downsamples[level]!, x, y, w, h);
          // J2K at this quality is lossless in practice; allow a grey level for the weights' rounding.
          expect(meanAbsDiff(ours, expected), `level ${level} at ${x},${y}`).toBeLessThanOrEqual(aperio ? 1 : 0.6);
        }
      } finally {
        await slide.close();
      }
    });
  }

  const python = openSlidePython();
  it.skipIf(!python)('agree with OpenSlide itself within 2 grey levels at every level', async () => {
    const dir = tempDir();
    for (const [compression, aperio] of [['deflate', false], ['j2k-rgb', true]] as const) {
      const file = path.join(dir, aperio ? 'nonint.svs' : 'nonint.tif');
      const images = await writeSlide(file, compression, aperio);
      const floorDiffs: number[] = [];
      const references = openSlideRegions(python!, file, dir, REGIONS);
      const slide = await openSlide(file);
      try {
        for (const [i, [x, y, level, w, h]] of REGIONS.entries()) {
          const ours = await slide.readRegion(x, y, w, h, level);
          const diff = meanAbsDiff(ours, { width: w, height: h, data: references[i]! });
          expect(diff, `${path.basename(file)} level ${level} at ${x},${y}`).toBeLessThanOrEqual(2);
          // A read that floors the level start differs from OpenSlide by far more on this pattern.
          const ds = slide.info.levels[level]!.downsample;
          if (level > 0) floorDiffs.push(meanAbsDiff(crop(images[level]!, Math.floor(x / ds), Math.floor(y / ds), w, h), { width: w, height: h, data: references[i]! }));
        }
      } finally {
        await slide.close();
      }
      expect(Math.max(...floorDiffs)).toBeGreaterThan(4);
    }
  });
});
