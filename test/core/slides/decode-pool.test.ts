import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerScript } from '../../../src-main/core/app-root';
import os from 'node:os';
import path from 'node:path';
import { boxReduced } from '../../../src-main/core/slides/box-reduce';
import { DecodePool, TileReadError } from '../../../src-main/core/slides/decode-pool';
import { rememberCodec, WORKER_CODECS } from '../../../src-main/core/slides/decode-protocol';
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

  it('sends each codec to a worker once, and again after the worker dropped it: every tile decodes with its own codec', async () => {
    const pool = new DecodePool(1, workerScript('tile-decode'));
    try {
      // Codecs told apart by tile size: a tile decoded with another tile's codec would come back the wrong size.
      const codecs = Array.from({ length: WORKER_CODECS + 40 }, (_, i): TileCodec => ({ ...codec, tileWidth: 1 + (i % 97), tileHeight: 1 + Math.floor(i / 97) }));
      const tileOf = (c: TileCodec, seed: number) => Uint8Array.from({ length: c.tileWidth * c.tileHeight * 3 }, (_, i) => (i * 5 + seed) % 256);
      // Twice round every codec (the second pass re-sends the ones the worker dropped), then the first ones again.
      const order = [...codecs.keys(), ...codecs.keys(), 0, 1, 2];
      const results = await Promise.all(order.map((i, n) => pool.decode(tileOf(codecs[i]!, n), codecs[i]!)));
      results.forEach((image, n) => {
        const c = codecs[order[n]!]!;
        expect([image.width, image.height]).toEqual([c.tileWidth, c.tileHeight]);
        expect(Buffer.from(image.data).equals(Buffer.from(tileOf(c, n)))).toBe(true);
      });
    } finally {
      await pool.destroy();
    }
  });

  it('reads a tile from a file span on the worker itself; a span the file no longer holds fails as a read, not a decode', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-span-'));
    const file = path.join(dir, 'tiles.bin');
    // Three tiles after a 100-byte header, as a TIFF lays them out.
    fs.writeFileSync(file, Buffer.concat([Buffer.alloc(100, 7), ...[0, 1, 2].map((i) => Buffer.from(rawTile(i)))]));
    const fd = fs.openSync(file, 'r');
    // One worker: the failed read and the next tile of its codec go to the same one.
    const pool = new DecodePool(1, workerScript('tile-decode'));
    try {
      const size = rawTile(0).length;
      const images = await Promise.all([2, 0, 1].map((i) => pool.decode({ fd, offset: 100 + i * size, length: size }, codec)));
      [2, 0, 1].forEach((i, n) => expect(Buffer.from(images[n]!.data).equals(Buffer.from(rawTile(i)))).toBe(true));
      // With a codec the worker sees here first: the failed read must not lose it for the tiles after.
      const other: TileCodec = { ...codec, tileWidth: 2, tileHeight: 8 };
      const past = pool.decode({ fd, offset: 100 + 3 * size, length: size }, other);
      await expect(past).rejects.toThrow(TileReadError);
      await expect(past).rejects.toThrow(/unexpected end of file/);
      const after = await pool.decode({ fd, offset: 100 + size, length: size }, other);
      expect([after.width, after.height]).toEqual([2, 8]);
      expect(Buffer.from(after.data).equals(Buffer.from(rawTile(1)))).toBe(true);
    } finally {
      await pool.destroy();
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts its workers when warmed, before any tile; returns a tile box-reduced where it is decoded, as inline decoding does', async () => {
    const big: TileCodec = { ...codec, tileWidth: 10, tileHeight: 6 };
    const tile = Uint8Array.from({ length: 10 * 6 * 3 }, (_, i) => (i * 37) % 251);
    const reduce = { factor: 4, validWidth: 9, validHeight: 6 }; // the tile's last column lies past the image's edge
    const expected = boxReduced({ width: 10, height: 6, data: tile }, 9, 6, 4);
    const inline = await new DecodePool(0, null).decode(tile.slice(), big, false, reduce);
    expect([inline.width, inline.height]).toEqual([3, 2]);
    expect(Buffer.from(inline.data).equals(Buffer.from(expected.data))).toBe(true);

    const pool = new DecodePool(2, workerScript('tile-decode'));
    try {
      expect(pool.startedWorkers).toBe(0);
      pool.warm();
      expect(pool.startedWorkers).toBe(2);
      pool.warm(); // already warm: no more threads
      expect(pool.startedWorkers).toBe(2);
      const [reduced, full] = await Promise.all([pool.decode(tile.slice(), big, false, reduce), pool.decode(tile.slice(), big)]);
      expect([reduced.width, reduced.height]).toEqual([3, 2]);
      expect(Buffer.from(reduced.data).equals(Buffer.from(expected.data))).toBe(true);
      expect(Buffer.from(full.data).equals(Buffer.from(tile))).toBe(true);
    } finally {
      await pool.destroy();
    }
  });

  it('keeps a bounded set of codecs, dropping the oldest first', () => {
    const kept = new Map<number, string>();
    for (let id = 1; id <= WORKER_CODECS + 3; id++) rememberCodec(kept, id, `codec ${id}`);
    expect(kept.size).toBe(WORKER_CODECS);
    expect([...kept.keys()].slice(0, 2)).toEqual([4, 5]);
    expect(kept.get(WORKER_CODECS + 3)).toBe(`codec ${WORKER_CODECS + 3}`);
  });
});
