import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import { writeMirax } from '../../fixtures/mirax-writer';
import { meanAbsDiff, patternImage } from '../../fixtures/slide-fixtures';
import { writeBif } from '../../fixtures/ventana-writer';
import { openSlidePython, openSlideRegions } from '../../helpers/openslide-python';
import { useTempDir } from '../../helpers/temp-dir';

const python = openSlidePython();

/** Each region read by us and by OpenSlide (where python3-openslide is installed). */
async function compare(file: string, dir: string, regions: Array<[number, number, number, number, number]>): Promise<number[]> {
  const theirs = openSlideRegions(python!, file, dir, regions);
  const slide = await openSlide(file);
  try {
    const diffs: number[] = [];
    for (const [i, [x, y, level, w, h]] of regions.entries()) {
      const reference = theirs[i]!;
      // OpenSlide leaves uncovered pixels transparent, which RGB conversion turns black; we read them white.
      // (The fixture pattern is never pure black.)
      for (let p = 0; p < reference.length; p += 3) if (reference[p] === 0 && reference[p + 1] === 0 && reference[p + 2] === 0) reference.fill(255, p, p + 3);
      diffs.push(meanAbsDiff(await slide.readRegion(x, y, w, h, level), { width: w, height: h, data: reference }));
    }
    return diffs;
  } finally {
    await slide.close();
  }
}

describe.runIf(python)('Ventana BIF and MIRAX against OpenSlide itself', () => {
  const tempDir = useTempDir();

  it('a stitched BIF (overlapping camera tiles, two levels) reads as OpenSlide reads it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'slide.bif');
    // OpenSlide 3.4 wants iScan as the XMP root and ignores Pos-X/Pos-Y: one area at the origin.
    fs.writeFileSync(file, await writeBif({
      source: patternImage(640, 288), tile: 128, overlapX: 16, overlapY: 8, tilesAcross: 6, tilesDown: 2, withLevel1: true,
      areas: [{ startCol: 0, startRow: 0, cols: 3, rows: 2, x: 0, y: 0 }], iscan: '<?xml version="1.0"?><iScan Magnification="40" ScanRes="0.2325" Z-layers="1"/>',
    }));
    const diffs = await compare(file, dir, [[0, 0, 0, 352, 248], [50, 30, 0, 200, 150], [0, 0, 1, 176, 124], [37, 21, 1, 100, 90]]);
    expect(diffs.slice(0, 3)).toEqual([0, 0, 0]);
    // A fractional level-1 start: both shift bilinearly.
    expect(diffs[3]).toBeLessThanOrEqual(1);
  });

  it('MIRAX slides, abutting or overlapping at recorded positions, read as OpenSlide reads them at every level', async () => {
    const dir = tempDir();
    const grid = await writeMirax(dir, 'grid', { source: patternImage(512, 384), imagesX: 4, imagesY: 3, divisions: 1, imageSize: 128, overlap: 0, formats: ['PNG', 'JPEG', 'BMP24'], positions: null, associated: true });
    expect(await compare(grid, dir, [[0, 0, 0, 512, 384], [0, 0, 1, 256, 192], [0, 0, 2, 128, 96]])).toEqual([0, 0, 0]);
    const overlap = await writeMirax(dir, 'overlap', { source: patternImage(256, 256), imagesX: 4, imagesY: 4, divisions: 2, imageSize: 64, overlap: 16, formats: ['PNG', 'PNG', 'PNG'], positions: [[0, 0], [112, 4], [4, 112], [116, 116]] });
    expect(await compare(overlap, dir, [[0, 0, 0, 240, 240], [0, 0, 1, 120, 120], [0, 0, 2, 60, 60]])).toEqual([0, 0, 0]);
    // Odd photo positions put coarse-level pieces at half pixels: we round where OpenSlide blends (docs/slide-formats.md).
    const odd = await writeMirax(dir, 'odd', { source: patternImage(256, 256), imagesX: 4, imagesY: 4, divisions: 2, imageSize: 64, overlap: 16, formats: ['PNG', 'PNG', 'PNG'], positions: [[0, 0], [111, 3], [5, 113], [117, 115]] });
    const [level0, ...coarse] = await compare(odd, dir, [[0, 0, 0, 240, 240], [0, 0, 1, 120, 120], [0, 0, 2, 60, 60]]);
    expect(level0).toBe(0);
    for (const d of coarse) expect(d).toBeLessThanOrEqual(4);
  });
});
