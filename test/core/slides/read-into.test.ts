import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import { writePyramid } from '../../fixtures/slide-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

describe('reads into a caller buffer', () => {
  it('gives the pixels of the allocating read on every path (a level, a fractional start, resampling, past the edge)', async () => {
    const file = await writePyramid(path.join(tempDir(), 'into.tif'), { width: 300, height: 260, tile: 64, compression: 'lzw', downsamples: [1, 3] });
    const slide = await openSlide(file);
    try {
      const reads: Array<[string, (into?: Uint8Array) => ReturnType<typeof slide.readRegion>]> = [
        ['level 0', (into) => slide.readRegionScaled(37, 51, 40, 40, 1, into)],
        ['level 1 at a fractional start', (into) => slide.readRegion(37, 52, 40, 40, 1, into)],
        ['between levels, resampled', (into) => slide.readRegionScaled(10, 20, 40, 40, 2, into)],
        ['past the right edge (white)', (into) => slide.readRegionScaled(280, 0, 40, 40, 1, into)],
      ];
      // The same buffer for every read: stale pixels from the previous read must not survive.
      const into = new Uint8Array(40 * 40 * 3);
      for (const [what, read] of reads) {
        const expected = await read();
        into.fill(7);
        const got = await read(into);
        expect(got.data, what).toBe(into);
        expect([got.width, got.height], what).toEqual([40, 40]);
        expect(Buffer.from(got.data).equals(Buffer.from(expected.data)), what).toBe(true);
      }
      await expect(slide.readRegionScaled(0, 0, 40, 40, 1, new Uint8Array(10))).rejects.toThrow(/needs 4800 bytes, not 10/);
      await expect(slide.readRegionScaled(10, 20, 40, 40, 2, new Uint8Array(10))).rejects.toThrow(/needs 4800 bytes, not 10/);
    } finally {
      await slide.close();
    }
  });
});
