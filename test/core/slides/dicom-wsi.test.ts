import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import type { DicomInstanceSpec } from '../../fixtures/dicom-writer';
import { writeDicomInstance } from '../../fixtures/dicom-writer';
import { crop, meanAbsDiff, patternImage, solidImage } from '../../fixtures/slide-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const W = 600;
const H = 440;
const SERIES = '1.2.826.0.1.3680043.9.7433.3.1';
/** Level sizes as a converter halving with ceil writes them (600 -> 300 -> 150; 440 -> 220 -> 110). */
const DOWNSAMPLES = [1, 2, 4];

async function writeSeries(dir: string, codec: DicomInstanceSpec['codec'], extra: Partial<DicomInstanceSpec> = {}): Promise<RgbImage[]> {
  const levels = DOWNSAMPLES.map((ds) => patternImage(W, H, ds));
  for (const [i, image] of levels.entries()) {
    await writeDicomInstance(path.join(dir, `level-${i}.dcm`), { seriesUid: SERIES, instanceUid: `${SERIES}.${i + 1}`, image, tile: 128, codec, ...extra });
  }
  await writeDicomInstance(path.join(dir, 'label.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.10`, image: solidImage(60, 40, [230, 30, 30]), tile: 60, codec, flavour: 'LABEL' });
  await writeDicomInstance(path.join(dir, 'overview.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.11`, image: solidImage(90, 30, [30, 30, 230]), tile: 90, codec, flavour: 'OVERVIEW' });
  return levels;
}

describe('DICOM WSI series', () => {
  const tempDir = useTempDir();

  for (const [codec, tolerance] of [['jpeg', 4], ['j2k', 2], ['j2k-ybr-full', 2], ['native', 0]] as const) {
    it(`reads a TILED_FULL ${codec} series from its folder: levels, mpp, magnification, associated images, pixels`, async () => {
      const dir = tempDir();
      const levels = await writeSeries(dir, codec);
      const slide = await openSlide(dir);
      try {
        expect(slide.info).toMatchObject({ format: 'dicom', vendor: 'dicom', width: W, height: H, mppX: 0.25, mppY: 0.25, magnification: 20, associated: ['label', 'macro'] });
        expect(slide.info.levels.map((l) => [l.width, l.height, l.tileWidth])).toEqual([[600, 440, 128], [300, 220, 128], [150, 110, 128]]);
        for (const [level, x, y, w, h] of [[0, 100, 90, 300, 200], [1, 64, 40, 200, 150], [2, 0, 0, 150, 110]] as const) {
          const ds = DOWNSAMPLES[level]!;
          const ours = await slide.readRegion(x, y, w, h, level);
          expect(meanAbsDiff(ours, crop(levels[level]!, x / ds, y / ds, w, h)), `level ${level}`).toBeLessThanOrEqual(tolerance);
        }
        const label = await slide.readAssociated('label');
        expect([label.width, label.height]).toEqual([60, 40]);
        expect(meanAbsDiff(label, solidImage(60, 40, [230, 30, 30]))).toBeLessThanOrEqual(tolerance + 1);
        expect(meanAbsDiff(await slide.readAssociated('macro'), solidImage(90, 30, [30, 30, 230]))).toBeLessThanOrEqual(tolerance + 1);
      } finally {
        await slide.close();
      }
    });
  }

  it('opens the same series from any one of its files, ignoring other series beside it', async () => {
    const dir = tempDir();
    await writeSeries(dir, 'jpeg');
    await writeDicomInstance(path.join(dir, 'other.dcm'), { seriesUid: '1.2.3.999', instanceUid: '1.2.3.999.1', image: patternImage(1000, 800), tile: 256, codec: 'jpeg' });
    const slide = await openSlide(path.join(dir, 'level-1.dcm'));
    try {
      expect(slide.info.width).toBe(W);
      expect(slide.info.levels).toHaveLength(3);
      expect(slide.info.path).toBe(path.join(dir, 'level-1.dcm'));
    } finally {
      await slide.close();
    }
    await expect(openSlide(dir)).rejects.toThrow(/holds 2 DICOM series \(.*\); open one file of the series you want/);
  });

  it('places TILED_SPARSE frames by Plane Position; a missing tile is background', async () => {
    const dir = tempDir();
    const image = patternImage(W, H);
    // Every tile of the 5 x 4 grid but (2, 1), in scrambled order.
    const tiles: Array<[number, number]> = [];
    for (let r = 3; r >= 0; r--) for (let c = 0; c < 5; c++) if (!(c === 2 && r === 1)) tiles.push([c, r]);
    await writeDicomInstance(path.join(dir, 'sparse.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.1`, image, tile: 128, codec: 'j2k', sparseTiles: tiles });
    const slide = await openSlide(dir);
    try {
      const present = await slide.readRegion(0, 0, 256, 128, 0);
      expect(meanAbsDiff(present, crop(image, 0, 0, 256, 128))).toBeLessThanOrEqual(2);
      const missing = await slide.readRegion(256, 128, 128, 128, 0);
      expect(meanAbsDiff(missing, solidImage(128, 128, [255, 255, 255]))).toBe(0);
    } finally {
      await slide.close();
    }
  });

  it('refuses other SOP classes, unsupported transfer syntaxes and folders without DICOM; Pixel Spacing 0 is unknown mpp', async () => {
    const dir = tempDir();
    const image = patternImage(256, 256);
    const ct = path.join(dir, 'ct.dcm');
    await writeDicomInstance(ct, { seriesUid: SERIES, instanceUid: `${SERIES}.1`, image, tile: 128, codec: 'native', sopClassUid: '1.2.840.10008.5.1.4.1.1.2' });
    await expect(openSlide(ct)).rejects.toThrow(`${ct}: is a DICOM instance of SOP class 1.2.840.10008.5.1.4.1.1.2, not VL Whole Slide Microscopy Image Storage`);
    await expect(openSlide(dir)).rejects.toThrow(/ct\.dcm: is a DICOM instance of SOP class/);

    const lsDir = tempDir();
    const ls = path.join(lsDir, 'jpeg-ls.dcm');
    await writeDicomInstance(ls, { seriesUid: SERIES, instanceUid: `${SERIES}.2`, image, tile: 128, codec: 'jpeg', transferSyntax: '1.2.840.10008.1.2.4.80' });
    await expect(openSlide(ls)).rejects.toThrow(`${ls}: uses DICOM transfer syntax 1.2.840.10008.1.2.4.80, which is not supported`);

    const empty = tempDir();
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'hello');
    await expect(openSlide(empty)).rejects.toThrow(`${empty}: is a folder holding no DICOM files`);

    // Without Pixel Measures, the imaged volume (mm) over the pixel matrix gives the pixel size.
    const volumeDir = tempDir();
    await writeDicomInstance(path.join(volumeDir, 'volume.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.4`, image, tile: 128, codec: 'native', pixelSpacing: null, imagedVolume: [0.128, 0.064] });
    const byVolume = await openSlide(volumeDir);
    try {
      // Imaged Volume is FL (float32): close, not exact.
      expect(byVolume.info.mppX).toBeCloseTo(0.5, 6);
      expect(byVolume.info.mppY).toBeCloseTo(0.25, 6);
    } finally {
      await byVolume.close();
    }

    // Aperio's MPP 0.2527 written as 0.0002527 mm reads back as 0.2527, not 0.25270000000000004.
    const aperioDir = tempDir();
    await writeDicomInstance(path.join(aperioDir, 'a.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.5`, image, tile: 128, codec: 'native', pixelSpacing: [0.0002527, 0.0002527] });
    const aperioLike = await openSlide(aperioDir);
    expect(aperioLike.info.mppX).toBe(0.2527);
    await aperioLike.close();

    const zeroDir = tempDir();
    await writeDicomInstance(path.join(zeroDir, 'zero.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.3`, image, tile: 128, codec: 'native', pixelSpacing: [0, 0] });
    const slide = await openSlide(zeroDir);
    try {
      expect([slide.info.mppX, slide.info.mppY]).toEqual([null, null]);
    } finally {
      await slide.close();
    }
  });

  it('reads a truncated file as far as its frames go: the cut frames are background', async () => {
    const dir = tempDir();
    const image = patternImage(W, H);
    const file = path.join(dir, 'cut.dcm');
    await writeDicomInstance(file, { seriesUid: SERIES, instanceUid: `${SERIES}.1`, image, tile: 128, codec: 'jpeg' });
    const whole = fs.readFileSync(file);
    fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const slide = await openSlide(file);
    try {
      expect(meanAbsDiff(await slide.readRegion(0, 0, 128, 128, 0), crop(image, 0, 0, 128, 128))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readRegion(512, 384, 88, 56, 0), solidImage(88, 56, [255, 255, 255]))).toBe(0);
    } finally {
      await slide.close();
    }
    const native = path.join(dir, 'native-cut.dcm');
    await writeDicomInstance(native, { seriesUid: SERIES, instanceUid: `${SERIES}.2`, image, tile: 128, codec: 'native' });
    fs.truncateSync(native, fs.statSync(native).size - 1000);
    await expect(openSlide(native)).rejects.toThrow(/native-cut\.dcm: DICOM Pixel Data holds \d+ bytes, but 20 frames need \d+ \(truncated file\?\)/);
  });

  it('a DICOM series converted from the real Aperio slide keeps its size and mpp, and its pixels', async () => {
    const dir = tempDir();
    const svs = await openSlide(path.resolve(__dirname, '../../fixtures/CMU-1-Small-Region.svs'));
    const { width, height } = svs.info;
    let level0: RgbImage;
    let level1: RgbImage;
    try {
      level0 = await svs.readRegion(0, 0, width, height, 0);
      // A converter's level 1 with a size that is not an exact half (1110 x 1483: downsample 2.0003).
      level1 = await svs.readRegionScaled(0, 0, 1110, 1483, width / 1110);
    } finally {
      await svs.close();
    }
    const spacing: [number, number] = [svs.info.mppY! / 1000, svs.info.mppX! / 1000];
    await writeDicomInstance(path.join(dir, 'l0.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.1`, image: level0, tile: 256, codec: 'jpeg', pixelSpacing: spacing });
    await writeDicomInstance(path.join(dir, 'l1.dcm'), { seriesUid: SERIES, instanceUid: `${SERIES}.2`, image: level1, tile: 256, codec: 'jpeg', pixelSpacing: spacing });
    const slide = await openSlide(dir);
    try {
      expect(slide.info).toMatchObject({ width, height, mppX: 0.499, mppY: 0.499 });
      expect(meanAbsDiff(await slide.readRegion(1000, 1200, 300, 300, 0), crop(level0, 1000, 1200, 300, 300))).toBeLessThanOrEqual(4);
      // Level 1 at a whole level pixel (x / downsample lands on 250 exactly).
      const ds = slide.info.levels[1]!.downsample;
      expect(meanAbsDiff(await slide.readRegion(250 * ds, 300 * ds, 200, 200, 1), crop(level1, 250, 300, 200, 200))).toBeLessThanOrEqual(4);
    } finally {
      await slide.close();
    }
  });
});
