import { describe, expect, it } from 'vitest';
import { floatsPerTile, writeInputTensor } from '../../../src-main/core/backbones/preprocess';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';

function randomTile(size: number, seed: number): RgbImage {
  const rand = seededRandom(seed);
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { width: size, height: size, data };
}

const spec = { inputSize: 5, mean: [0.485, 0.456, 0.406] as [number, number, number], std: [0.229, 0.224, 0.225] as [number, number, number] };

/** The reference: one sample at a time, straight from the definition, indexed (n, c, y, x). */
function reference(tiles: RgbImage[], size: number): Float32Array {
  const out = new Float32Array(tiles.length * 3 * size * size);
  tiles.forEach((tile, n) => {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const byte = tile.data[(y * size + x) * 3 + c]!;
          out[((n * 3 + c) * size + y) * size + x] = (byte / 255 - spec.mean[c]!) / spec.std[c]!;
        }
      }
    }
  });
  return out;
}

describe('writeInputTensor', () => {
  it('writes NCHW (v/255 - mean)/std exactly as the per-pixel formula', () => {
    const tiles = [randomTile(5, 1), randomTile(5, 2), randomTile(5, 3)];
    const out = new Float32Array(3 * floatsPerTile(spec));
    expect(writeInputTensor(tiles, spec, out)).toBe(out.length);
    expect(out).toEqual(reference(tiles, 5));
  });

  it('covers every byte value, and writes at an offset without touching the rest', () => {
    // 256 values spread across the three channels of a 16x16 tile and its shifted copies.
    const size = 16;
    const tile = { width: size, height: size, data: new Uint8Array(size * size * 3) };
    for (let i = 0; i < tile.data.length; i++) tile.data[i] = i % 256;
    const s = { ...spec, inputSize: size };
    const per = floatsPerTile(s);
    const out = new Float32Array(3 * per).fill(-99);
    expect(writeInputTensor([tile], s, out, per)).toBe(2 * per);
    expect(out.subarray(0, per).every((v) => v === -99)).toBe(true);
    expect(out.subarray(2 * per).every((v) => v === -99)).toBe(true);
    const expected = new Float32Array(per);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < size * size; p++) expected[c * size * size + p] = (tile.data[p * 3 + c]! / 255 - s.mean[c]!) / s.std[c]!;
    }
    expect(out.subarray(per, 2 * per)).toEqual(expected);
  });

  it('refuses a tile of the wrong size and a buffer too small', () => {
    const out = new Float32Array(floatsPerTile(spec));
    expect(() => writeInputTensor([randomTile(6, 1)], spec, out)).toThrow(/tile 0 is 6x6.*takes 5x5/);
    expect(() => writeInputTensor([randomTile(5, 1), randomTile(5, 2)], spec, out)).toThrow(/cannot take 2 tiles/);
  });
});
