import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { crop, meanAbsDiff, patternImage, solidImage } from '../../fixtures/slide-fixtures';
import type { BifSpec } from '../../fixtures/ventana-writer';
import { encodeInfoXml, halve, writeBif } from '../../fixtures/ventana-writer';
import { useTempDir } from '../../helpers/temp-dir';

const W = 640;
const H = 288;

/** Two areas of 128 px camera tiles overlapping by 16 px across and 8 px down, the second area lower and to the right. */
function bifSpec(): BifSpec {
  return {
    source: patternImage(W, H), tile: 128, overlapX: 16, overlapY: 8, tilesAcross: 6, tilesDown: 2, withLevel1: true,
    areas: [
      { startCol: 0, startRow: 0, cols: 3, rows: 2, x: 0, y: 0 },
      { startCol: 4, startRow: 0, cols: 2, rows: 2, x: 400, y: 40 },
    ],
  };
}

/** The stitched slide: the source inside the areas, white between them. */
function expectedLevel0(spec: BifSpec): RgbImage {
  const out = solidImage(W, H, [255, 255, 255]);
  for (const a of spec.areas) {
    const w = (a.cols - 1) * (spec.tile - spec.overlapX) + spec.tile;
    const h = (a.rows - 1) * (spec.tile - spec.overlapY) + spec.tile;
    const part = crop(spec.source, a.x, a.y, w, h);
    for (let y = 0; y < h; y++) out.data.set(part.data.subarray(y * w * 3, (y + 1) * w * 3), ((a.y + y) * W + a.x) * 3);
  }
  return out;
}

describe('Ventana BIF', () => {
  const tempDir = useTempDir();

  it('stitches overlapping camera tiles (serpentine joints, weighted overlaps, Pos-Y from the bottom) at every level; iScan mpp and magnification; macro and thumbnail', async () => {
    const spec = bifSpec();
    const file = path.join(tempDir(), 'slide.bif');
    fs.writeFileSync(file, await writeBif(spec));
    const slide = await openSlide(file);
    try {
      expect(slide.info).toMatchObject({ format: 'bif', vendor: 'ventana', width: W, height: H, mppX: 0.2325, mppY: 0.2325, magnification: 40, associated: ['thumbnail', 'macro'] });
      expect(slide.info.levels.map((l) => [l.width, l.height, l.downsample])).toEqual([[W, H, 1], [W / 2, H / 2, 2]]);
      const level0 = expectedLevel0(spec);
      // Lossless tiles: a tile placed one pixel off would show at once.
      expect(meanAbsDiff(await slide.readRegion(0, 0, W, H, 0), level0)).toBe(0);
      expect(meanAbsDiff(await slide.readRegion(100, 110, 200, 60, 0), crop(level0, 100, 110, 200, 60))).toBe(0);
      expect(meanAbsDiff(await slide.readRegion(0, 0, W / 2, H / 2, 1), halve(level0))).toBe(0);
      expect(meanAbsDiff(await slide.readAssociated('macro'), solidImage(60, 40, [200, 40, 40]))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readAssociated('thumbnail'), solidImage(64, 32, [40, 40, 200]))).toBeLessThanOrEqual(4);
    } finally {
      await slide.close();
    }
  });

  it('without level-0 EncodeInfo the file is a plain tiled pyramid (Ventana TIFF)', async () => {
    const spec: BifSpec = { ...bifSpec(), overlapX: 0, overlapY: 0, areas: [{ startCol: 0, startRow: 0, cols: 5, rows: 2, x: 0, y: 0 }], encodeInfo: '<?xml version="1.0"?><Other/>' };
    const file = path.join(tempDir(), 'plain.tif');
    fs.writeFileSync(file, await writeBif(spec));
    const slide = await openSlide(file);
    try {
      expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual([[768, 256], [384, 128]]);
      expect(meanAbsDiff(await slide.readRegion(0, 0, 640, 256, 0), crop(spec.source, 0, 0, 640, 256))).toBe(0);
    } finally {
      await slide.close();
    }
  });

  it('hostile, unparseable or inconsistent XMP is a one-line error naming the file', async () => {
    const dir = tempDir();
    const cases: Array<[string, Partial<BifSpec>, RegExp]> = [
      ['entities.bif', { iscan: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><iScan ScanRes="&b;"/>' }, /entities\.bif: Ventana iScan XMP declares entities/],
      ['broken.bif', { encodeInfo: '<EncodeInfo><SlideStitchInfo><ImageInfo></SlideStitchInfo>' }, /broken\.bif: Ventana level-0 XMP cannot be parsed$/],
      ['joint.bif', { encodeInfo: encodeInfoXml(bifSpec()).replace('Tile2="2"', 'Tile2="99"') }, /joint\.bif: Ventana tile joint names tile 99, outside its 3x2 area$/],
      ['origins.bif', { encodeInfo: encodeInfoXml(bifSpec()).replace(/<AOI9[^>]*>/, '') }, /origins\.bif: Ventana level-0 XMP has 3 ImageInfo and 2 AoiOrigin elements/],
      ['tilesize.bif', { encodeInfo: encodeInfoXml(bifSpec()).replace('Width="128"', 'Width="100"') }, /tilesize\.bif: Ventana AOI 0 has 100x128 camera tiles, but level 0's TIFF tiles are 128x128$/],
    ];
    for (const [name, change, error] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, await writeBif({ ...bifSpec(), withLevel1: false, ...change }));
      await expect(openSlide(file), name).rejects.toThrow(error);
    }
  });
});
