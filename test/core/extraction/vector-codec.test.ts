import { describe, expect, it } from 'vitest';
import { decodeVectorInto, encodeVector, fromHalf, toHalf } from '../../../src-main/core/embeddings/vector-codec';

describe('vector codec', () => {
  it('round-trips float32 exactly, from a view at an offset', () => {
    const big = new Float32Array([9, 1.5, -2.25, 1e-30, 3.4e38, 9]);
    const blob = encodeVector(big.subarray(1, 5), 'float32');
    big[1] = 0; // the blob is a copy
    const out = new Float32Array(6);
    decodeVectorInto(blob, 'float32', 4, out, 2);
    expect(Array.from(out)).toEqual([0, 0, 1.5, -2.25, Math.fround(1e-30), Math.fround(3.4e38)]);
  });

  it.each([
    [0, 0x0000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
    [0.1, 0x2e66],
    [1 + 2 ** -11, 0x3c00], // a tie rounds to even
    [1 + 3 * 2 ** -11, 0x3c02],
  ])('encodes %f as half 0x%s', (value, bits) => {
    expect(toHalf(value)).toBe(bits);
  });

  it('decodes halves and keeps the relative error under 1e-3', () => {
    expect(fromHalf(0x3c00)).toBe(1);
    expect(fromHalf(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(fromHalf(0x7e00))).toBe(true);
    const values = new Float32Array(1000).map((_, i) => Math.sin(i) * (1 + i));
    const out = new Float32Array(1000);
    decodeVectorInto(encodeVector(values, 'float16'), 'float16', 1000, out, 0);
    for (let i = 0; i < 1000; i++) expect(Math.abs(out[i]! - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 1e-3 + 1e-7);
  });

  it('refuses a stored vector of the wrong length', () => {
    expect(() => decodeVectorInto(Buffer.alloc(12), 'float32', 4, new Float32Array(4), 0)).toThrow(/12 bytes, expected 16/);
  });
});
