import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { openSlidePython } from '../../helpers/openslide-python';

const SVS = path.resolve(__dirname, '../../fixtures/CMU-1-Small-Region.svs');

function channelMeans(image: RgbImage): number[] {
  const sums = [0, 0, 0];
  for (let i = 0; i < image.data.length; i += 3) for (let c = 0; c < 3; c++) sums[c] = sums[c]! + image.data[i + c]!;
  return sums.map((s) => s / (image.width * image.height));
}

describe('CMU-1-Small-Region.svs (real Aperio slide)', () => {
  it('has the expected metadata', async () => {
    const slide = await openSlide(SVS);
    try {
      expect(slide.info).toMatchObject({
        format: 'svs', vendor: 'aperio', width: 2220, height: 2967, mppX: 0.499, mppY: 0.499, magnification: 20,
        associated: ['thumbnail', 'label', 'macro'],
      });
      expect(slide.info.levels).toEqual([{ width: 2220, height: 2967, downsample: 1, tileWidth: 240, tileHeight: 240 }]);
    } finally {
      await slide.close();
    }
  });

  it('decodes its RGB JPEG tiles into H&E colours (OpenSlide reference values)', async () => {
    const slide = await openSlide(SVS);
    try {
      const region = await slide.readRegion(1000, 1000, 256, 256, 0);
      // Channel means of this region as OpenSlide 3.4 reads it. Decoding the RGB tiles as YCbCr
      // instead would give a green cast (G above R and B).
      const [r, g, b] = channelMeans(region);
      expect(r).toBeCloseTo(150.598, 1);
      expect(g).toBeCloseTo(104.14, 1);
      expect(b).toBeCloseTo(143.919, 1);
      expect(g!).toBeLessThan(r!);
      const [thumbnail, label, macro] = await Promise.all([slide.readAssociated('thumbnail'), slide.readAssociated('label'), slide.readAssociated('macro')]);
      expect([thumbnail.width, thumbnail.height]).toEqual([574, 768]);
      expect([label.width, label.height]).toEqual([387, 463]);
      expect([macro.width, macro.height]).toEqual([1280, 431]);
      const overview = await slide.readRegionScaled(0, 0, 222, 296, 10);
      const thumbMeans = channelMeans(overview);
      expect(thumbMeans[1]!).toBeLessThan(thumbMeans[0]!);
    } finally {
      await slide.close();
    }
  });

  const python = openSlidePython();
  it.skipIf(!python)('matches OpenSlide pixel for pixel', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-openslide-'));
    const slide = await openSlide(SVS);
    try {
      const regions = [[0, 0], [1000, 1000], [2100, 2900], [470, 1930]] as const;
      const script = `
import sys, openslide
s = openslide.OpenSlide(sys.argv[1])
for i, (x, y) in enumerate([${regions.map(([x, y]) => `(${x},${y})`).join(',')}]):
    open(f"{sys.argv[2]}/r{i}.rgb", "wb").write(s.read_region((x, y), 0, (300, 300)).convert("RGB").tobytes())
for n in ("thumbnail", "label", "macro"):
    open(f"{sys.argv[2]}/{n}.rgb", "wb").write(s.associated_images[n].convert("RGB").tobytes())
`;
      execFileSync(python!, ['-c', script, SVS, dir]);
      for (const [i, [x, y]] of regions.entries()) {
        const ours = await slide.readRegion(x, y, 300, 300, 0);
        // OpenSlide leaves pixels past the edge transparent; RGB conversion makes them black, we make them white.
        const ref = new Uint8Array(fs.readFileSync(path.join(dir, `r${i}.rgb`)));
        let diff = 0;
        let n = 0;
        for (let p = 0; p < 300 * 300; p++) {
          if (x + (p % 300) >= 2220 || y + Math.floor(p / 300) >= 2967) continue;
          for (let c = 0; c < 3; c++) diff += Math.abs(ours.data[p * 3 + c]! - ref[p * 3 + c]!);
          n += 3;
        }
        expect(diff / n).toBeLessThanOrEqual(0.5);
      }
      for (const name of ['thumbnail', 'label', 'macro'] as const) {
        const ours = await slide.readAssociated(name);
        expect(Buffer.compare(Buffer.from(ours.data), fs.readFileSync(path.join(dir, `${name}.rgb`)))).toBe(0);
      }
    } finally {
      await slide.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
