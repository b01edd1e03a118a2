import { describe, expect, it } from 'vitest';
import { workerScript } from '../../../src-main/core/app-root';
import { decodeTile } from '../../../src-main/core/slides/codecs/decode-tile';
import { loadSharp } from '../../../src-main/core/slides/sharp-loader';
import { DecodePool } from '../../../src-main/core/slides/decode-pool';
import { readGridRegion, type TileGrid } from '../../../src-main/core/slides/region';
import { TileCache } from '../../../src-main/core/slides/tile-cache';
import { holdTiles, retireTile, TileRecycler } from '../../../src-main/core/slides/tile-recycler';
import { Compression, Photometric } from '../../../src-main/core/slides/tiff/tiff-tags';
import type { TileCodec } from '../../../src-main/core/slides/tiff/tiff-image';

describe('TileRecycler', () => {
  it('gives a retired buffer back only after every read that began before its retirement has ended', () => {
    const recycler = new TileRecycler();
    const tile = new Uint8Array(48);
    recycler.adopt(tile);
    const before = holdTiles();
    retireTile(tile);
    const after = holdTiles();
    // A read that began before the retirement may still be copying out of the tile.
    expect(recycler.take(4)).toEqual([]);
    before();
    // One that began after it cannot have seen the tile (the cache no longer had it).
    const back = recycler.take(4);
    expect(back).toHaveLength(1);
    expect(back[0]).toBe(tile.buffer);
    after();
    // Retiring it twice gives nothing more: the cache's second dispose is a no-op.
    retireTile(tile);
    expect(recycler.take(4)).toEqual([]);
  });

  it('never recycles a buffer it did not adopt, nor a view into part of one', () => {
    const recycler = new TileRecycler();
    const whole = new Uint8Array(64);
    recycler.adopt(whole.subarray(8));
    retireTile(whole.subarray(8));
    retireTile(new Uint8Array(64));
    expect(recycler.take(4)).toEqual([]);
  });

  it('keeps at most maxKept buffers, so a closed slide does not pin its tiles', () => {
    const recycler = new TileRecycler(3);
    const hold = holdTiles();
    for (let i = 0; i < 10; i++) {
      const tile = new Uint8Array(16);
      recycler.adopt(tile);
      retireTile(tile);
    }
    expect(recycler.pending).toEqual({ retired: 3, ready: 0 });
    hold();
    expect(recycler.take(10)).toHaveLength(3);
  });
});

const SIDE = 16;
const codec: TileCodec = { compression: Compression.None, photometric: Photometric.Rgb, samplesPerPixel: 3, predictor: 1, tileWidth: SIDE, tileHeight: SIDE, jpegTables: null };
/** Every pixel of the 8 x 8-tile grid says where it is, so a tile read from a wrong or reused buffer shows. */
const pixel = (x: number, y: number, c: number): number => (x * 7 + y * 13 + c * 101) % 251;
function rawTile(tx: number, ty: number): Uint8Array {
  const data = new Uint8Array(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) for (let c = 0; c < 3; c++) data[(y * SIDE + x) * 3 + c] = pixel(tx * SIDE + x, ty * SIDE + y, c);
  return data;
}

describe('decoded tiles recycled through the decode workers', () => {
  it('region reads stay exact while a tiny cache evicts and the workers decode into recycled buffers', async () => {
    const pool = new DecodePool(2, workerScript('tile-decode'));
    // Three tiles' worth: almost every read evicts tiles that other reads are still copying from.
    const cache = new TileCache(3 * SIDE * SIDE * 3);
    const retiredBuffers: ArrayBuffer[] = [];
    const grid: TileGrid = {
      width: 8 * SIDE,
      height: 8 * SIDE,
      tileWidth: SIDE,
      tileHeight: SIDE,
      async readTile(tx, ty) {
        const tile = await cache.get(`${tx},${ty}`, () => pool.decode(rawTile(tx, ty), codec, true));
        retiredBuffers.push(tile.data.buffer as ArrayBuffer);
        // Like a mosaic waiting for its other pieces: other reads' tiles arrive and evict meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1));
        return tile;
      },
    };
    try {
      let seed = 7;
      const next = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
      const reads = Array.from({ length: 300 }, () => ({ x: next(7 * SIDE), y: next(7 * SIDE), w: 1 + next(2 * SIDE), h: 1 + next(2 * SIDE) }));
      const lanes = Array.from({ length: 8 }, async (_, lane) => {
        for (let i = lane; i < reads.length; i += 8) {
          const { x, y, w, h } = reads[i]!;
          const region = await readGridRegion(grid, x, y, w, h);
          for (let ry = 0; ry < h; ry++) {
            for (let rx = 0; rx < w; rx++) {
              for (let c = 0; c < 3; c++) {
                const inside = x + rx < 8 * SIDE && y + ry < 8 * SIDE;
                if (region.data[(ry * w + rx) * 3 + c] !== (inside ? pixel(x + rx, y + ry, c) : 255)) throw new Error(`read ${i} (${x},${y} ${w}x${h}) is wrong at ${rx},${ry}`);
              }
            }
          }
        }
      });
      await Promise.all(lanes);
      // The workers did get buffers back: those sent are detached here.
      expect(retiredBuffers.filter((b) => b.byteLength === 0).length).toBeGreaterThan(50);
    } finally {
      await pool.destroy();
    }
  });

  it('JPEG tiles decoded straight into recycled buffers equal fresh decodes', async () => {
    const side = 32;
    const jpeg: TileCodec = { ...codec, compression: Compression.Jpeg, photometric: Photometric.YCbCr, tileWidth: side, tileHeight: side };
    const sharp = loadSharp();
    const tiles = await Promise.all(
      Array.from({ length: 6 }, async (_, k) => {
        const raw = Uint8Array.from({ length: side * side * 3 }, (_, i) => (i * (k + 3) + k * 41) % 256);
        return new Uint8Array(await sharp(raw, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 80 }).toBuffer());
      }),
    );
    const expected = await Promise.all(tiles.map(async (t) => Buffer.from((await decodeTile(t, jpeg)).data)));
    const pool = new DecodePool(1, workerScript('tile-decode'));
    // One tile's worth: every decode evicts the previous tile, whose buffer goes back to the worker.
    const cache = new TileCache(side * side * 3);
    const seen: ArrayBuffer[] = [];
    try {
      for (let n = 0; n < 60; n++) {
        const k = n % tiles.length;
        const release = holdTiles();
        const tile = await cache.get(`jpeg ${n}`, () => pool.decode(tiles[k]!.slice(), jpeg, true));
        expect(Buffer.from(tile.data).equals(expected[k]!)).toBe(true);
        seen.push(tile.data.buffer as ArrayBuffer);
        release();
      }
      // Most decodes after the first few went into buffers sent back (detached here once sent).
      expect(seen.filter((b) => b.byteLength === 0).length).toBeGreaterThan(40);
    } finally {
      await pool.destroy();
    }
  });
});
