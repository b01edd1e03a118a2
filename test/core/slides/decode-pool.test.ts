import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerScript } from '../../../src-main/core/app-root';
import { DecodePool } from '../../../src-main/core/slides/decode-pool';
import { Compression, Photometric } from '../../../src-main/core/slides/tiff/tiff-tags';
import type { TileCodec } from '../../../src-main/core/slides/tiff/tiff-image';

const codec: TileCodec = { compression: Compression.None, photometric: Photometric.Rgb, samplesPerPixel: 3, predictor: 1, tileWidth: 4, tileHeight: 4, jpegTables: null };

function rawTile(seed: number): Uint8Array {
  return Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 7 + seed * 13) % 256);
}

describe('DecodePool', () => {
  it('decodes many queued tiles on two workers, several per message, each to its own caller; a bad tile fails alone', async () => {
    // The test run builds dist/ first (test/global-setup.ts), so the worker bundle is there.
    const script = workerScript('tile-decode');
    expect(fs.existsSync(script)).toBe(true);
    const pool = new DecodePool(2, script);
    try {
      expect(pool.threaded).toBe(true);
      const bad: TileCodec = { ...codec, compression: 99 };
      const reads = Array.from({ length: 50 }, (_, i) => pool.decode(rawTile(i), i === 17 ? bad : codec));
      const results = await Promise.allSettled(reads);
      results.forEach((result, i) => {
        if (i === 17) {
          expect(result.status).toBe('rejected');
          expect((result as PromiseRejectedResult).reason.message).toMatch(/unsupported compression 99/);
        } else {
          expect(result.status).toBe('fulfilled');
          const image = (result as PromiseFulfilledResult<{ width: number; height: number; data: Uint8Array }>).value;
          expect([image.width, image.height]).toEqual([4, 4]);
          expect(Buffer.from(image.data).equals(Buffer.from(rawTile(i)))).toBe(true);
        }
      });
      // A lone read after the burst still gets its answer.
      expect(Buffer.from((await pool.decode(rawTile(99), codec)).data).equals(Buffer.from(rawTile(99)))).toBe(true);
    } finally {
      await pool.destroy();
    }
  });
});
