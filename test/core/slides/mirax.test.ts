import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import type { MiraxSpec } from '../../fixtures/mirax-writer';
import { photoPosition, writeMirax } from '../../fixtures/mirax-writer';
import { crop, meanAbsDiff, patternImage, solidImage } from '../../fixtures/slide-fixtures';
import { halve } from '../../fixtures/ventana-writer';
import { useTempDir } from '../../helpers/temp-dir';

/** 4 x 3 abutting images of 128 px, one per photo: level 0 PNG, level 1 JPEG, level 2 BMP. */
function gridSpec(): MiraxSpec {
  return { source: patternImage(512, 384), imagesX: 4, imagesY: 3, divisions: 1, imageSize: 128, overlap: 0, formats: ['PNG', 'JPEG', 'BMP24'], positions: null, associated: true };
}

/** 2 x 2 photos of 128 px, each cut into 2 x 2 images of 64, overlapping by about 16 px at recorded (jittered) positions. */
function overlapSpec(compressed: boolean): MiraxSpec {
  return {
    source: patternImage(256, 256), imagesX: 4, imagesY: 4, divisions: 2, imageSize: 64, overlap: 16, formats: ['PNG', 'PNG', 'PNG'],
    positions: [[0, 0], [112, 4], [4, 112], [116, 116]], compressedPositions: compressed,
  };
}

/** The source where some photo covers it, white elsewhere, cut to width x height. */
function photographed(spec: MiraxSpec, width: number, height: number): RgbImage {
  const out = solidImage(width, height, [255, 255, 255]);
  const side = spec.imageSize * spec.divisions;
  for (let yp = 0; yp < spec.imagesY / spec.divisions; yp++) {
    for (let xp = 0; xp < spec.imagesX / spec.divisions; xp++) {
      const [px, py] = photoPosition(spec, xp, yp);
      for (let y = py; y < Math.min(height, py + side); y++) {
        for (let x = px; x < Math.min(width, px + side); x++) out.data.set(spec.source.data.subarray((y * spec.source.width + x) * 3, (y * spec.source.width + x) * 3 + 3), (y * width + x) * 3);
      }
    }
  }
  return out;
}

describe('3DHISTECH MIRAX', () => {
  const tempDir = useTempDir();

  it('non-overlapping images: levels, mpp, magnification, PNG/JPEG/BMP images and associated images; every level matches the source', async () => {
    const spec = gridSpec();
    const file = await writeMirax(tempDir(), 'grid', spec);
    const slide = await openSlide(file);
    try {
      expect(slide.info).toMatchObject({ format: 'mirax', vendor: 'mirax', width: 512, height: 384, mppX: 0.243, mppY: 0.243, magnification: 20, associated: ['thumbnail', 'label', 'macro'] });
      expect(slide.info.levels.map((l) => [l.width, l.height, l.downsample])).toEqual([[512, 384, 1], [256, 192, 2], [128, 96, 4]]);
      expect(meanAbsDiff(await slide.readRegion(0, 0, 512, 384, 0), spec.source)).toBe(0);
      expect(meanAbsDiff(await slide.readRegion(100, 50, 300, 200, 0), crop(spec.source, 100, 50, 300, 200))).toBe(0);
      const level1 = halve(spec.source);
      expect(meanAbsDiff(await slide.readRegion(0, 0, 256, 192, 1), level1)).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readRegion(0, 0, 128, 96, 2), halve(level1))).toBe(0);
      expect(meanAbsDiff(await slide.readAssociated('label'), solidImage(50, 40, [200, 40, 40]))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readAssociated('macro'), solidImage(90, 30, [40, 40, 200]))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readAssociated('thumbnail'), solidImage(64, 48, [40, 160, 40]))).toBeLessThanOrEqual(4);
    } finally {
      await slide.close();
    }
  });

  for (const compressed of [false, true]) {
    it(`overlapping photos at recorded positions (${compressed ? 'deflated StitchingIntensityLayer' : 'VIMSLIDE_POSITION_BUFFER'}) are stitched at every level, including levels whose images join several photos`, async () => {
      const spec = overlapSpec(compressed);
      const file = await writeMirax(tempDir(), 'overlap', spec);
      const slide = await openSlide(file);
      try {
        // Level 0's size as OpenSlide sums it: 64 + (64 - 16) + 64 + 64 on each side.
        expect(slide.info.levels.map((l) => [l.width, l.height, l.downsample])).toEqual([[240, 240, 1], [120, 120, 2], [60, 60, 4]]);
        const level0 = photographed(spec, 240, 240);
        expect(meanAbsDiff(await slide.readRegion(0, 0, 240, 240, 0), level0)).toBe(0);
        expect(meanAbsDiff(await slide.readRegion(0, 0, 120, 120, 1), halve(level0))).toBe(0);
        expect(meanAbsDiff(await slide.readRegion(0, 0, 60, 60, 2), halve(halve(level0)))).toBe(0);
      } finally {
        await slide.close();
      }
    });
  }

  it('a .mrxs without its data folder, or with a broken index or data file, is a one-line error naming the slide', async () => {
    const dir = tempDir();
    const lone = path.join(dir, 'lone.mrxs');
    fs.writeFileSync(lone, '');
    await expect(openSlide(lone)).rejects.toThrow(`${lone}: is a MIRAX .mrxs file, but its data folder ${path.join(dir, 'lone')} with Slidedat.ini is missing`);

    const truncated = await writeMirax(dir, 'truncated', gridSpec());
    const index = path.join(dir, 'truncated', 'Index.dat');
    fs.truncateSync(index, fs.statSync(index).size - 40);
    await expect(openSlide(truncated)).rejects.toThrow(/truncated\.mrxs: Index\.dat is truncated or corrupt \(.* points at byte \d+ of \d+\)$/);

    const shortData = await writeMirax(dir, 'short', gridSpec());
    const data = path.join(dir, 'short', 'Data0000.dat');
    fs.truncateSync(data, fs.statSync(data).size - 100);
    await expect(openSlide(shortData)).rejects.toThrow(/short\.mrxs: .* lies past the end of Data0000\.dat \(bytes \d+\.\.\d+ of \d+; truncated file\?\)$/);

    const badIni = await writeMirax(dir, 'badini', gridSpec());
    const ini = path.join(dir, 'badini', 'Slidedat.ini');
    fs.writeFileSync(ini, fs.readFileSync(ini, 'utf8').replace('FILE_0=Data0000.dat', 'FILE_0=../../etc/passwd'));
    await expect(openSlide(badIni)).rejects.toThrow(/badini\.mrxs: Slidedat\.ini \[DATAFILE\] FILE_0 is "\.\.\/\.\.\/etc\/passwd", not a file name in the slide's folder$/);
  });
});
