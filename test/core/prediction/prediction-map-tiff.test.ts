import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePredictionMaps } from '../../../src-main/core/prediction/prediction-map-tiff';
import type { TilePrediction } from '../../../src-main/core/prediction/slide-predictions';
import { FileReader } from '../../../src-main/core/slides/file-reader';
import { parseTiff, tagNumber, tagNumbers, tagString } from '../../../src-main/core/slides/tiff/tiff-file';
import { Tag } from '../../../src-main/core/slides/tiff/tiff-tags';
import { useTempDir } from '../../helpers/temp-dir';

describe('prediction maps as TIFF (written by geotiff)', () => {
  const tempDir = useTempDir();

  it('writes one pixel per tile: predicted class and scaled probabilities, readable by our own TIFF parser', async () => {
    const dir = tempDir();
    const tile = (col: number, row: number, probs: number[]): TilePrediction => ({ tileId: col * 10 + row, x: col * 224, y: row * 224, width: 224, height: 224, probs: Float32Array.from(probs) });
    // Float32 0.9 x 255 = 229.49. A 3 x 2 grid with one tile missing (background): it must read as class 0.
    const tiles = [tile(0, 0, [0.9, 0.1]), tile(1, 0, [0.2, 0.8]), tile(2, 0, [0.5, 0.5]), tile(0, 1, [0, 1]), tile(2, 1, [1, 0])];
    const [file] = writePredictionMaps(dir, ['stroma', 'tumour'], [{ path: '/slides/case 1.svs', tiles }, { path: '/slides/empty.svs', tiles: [] }]);
    expect(file).toBe(path.join(dir, 'case 1.svs.map.tif'));
    expect(fs.readdirSync(dir)).toEqual(['case 1.svs.map.tif']);

    const reader = await FileReader.open(file!);
    try {
      const tiff = await parseTiff(reader);
      const ifd = tiff.ifds[0]!;
      expect([tagNumber(ifd, Tag.ImageWidth), tagNumber(ifd, Tag.ImageLength), tagNumber(ifd, Tag.SamplesPerPixel)]).toEqual([3, 2, 3]);
      expect(JSON.parse(tagString(ifd, Tag.ImageDescription)!)).toMatchObject({ classes: ['stroma', 'tumour'], tileWidth: 224 });
      const pixels = await reader.read(tagNumbers(ifd, Tag.StripOffsets)![0]!, tagNumbers(ifd, Tag.StripByteCounts)![0]!, 'map');
      expect(Array.from(pixels)).toEqual([
        1, 229, 26, /**/ 2, 51, 204, /**/ 1, 128, 128,
        2, 0, 255, /**/ 0, 0, 0, /**/ 1, 255, 0,
      ]);
    } finally {
      await reader.close();
    }
  });

  it('refuses a folder that does not exist', () => {
    expect(() => writePredictionMaps(path.join(tempDir(), 'nope'), ['a'], [])).toThrow(/nope: folder does not exist/);
  });
});
