import { describe, expect, it } from 'vitest';
import { simdKernels } from '../../../src-main/core/embeddings/simd-kernels';
import { decodeHalvesByTable, decodeHalvesInto, fromHalf } from '../../../src-main/core/embeddings/vector-codec';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';

const bitsOf = (values: Float32Array) => new Uint32Array(values.buffer, values.byteOffset, values.length);
/** Bit patterns, with every NaN as one (the table holds JS's canonical NaN, the kernel keeps payloads). */
const canonicalBits = (values: Float32Array) => Array.from(bitsOf(values), (bits, i) => (Number.isNaN(values[i]!) ? -1 : bits));

describe('WebAssembly SIMD kernels', () => {
  const kernels = simdKernels();

  it('run on Node 20', () => {
    expect(kernels).not.toBeNull();
  });

  it('decode every one of the 65,536 halves exactly as fromHalf (subnormals, Inf, NaN, -0 included)', () => {
    const halves = Uint16Array.from({ length: 65536 }, (_, h) => h);
    const out = new Float32Array(65536);
    kernels!.decodeHalves(new Uint8Array(halves.buffer), 65536, out, 0);
    const expected = Float32Array.from(halves, (h) => fromHalf(h));
    const mismatches: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const same = Number.isNaN(expected[h]!) ? Number.isNaN(out[h]!) : bitsOf(out)[h] === bitsOf(expected)[h];
      if (!same) mismatches.push(`0x${h.toString(16)}: ${out[h]} not ${expected[h]}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('decode exactly when 16 at a time and the last 8 alone see every kind of half in either group of 8', () => {
    // Shifted by 8 and 8 longer than a multiple of 16: each half lands in the other group of 8 of
    // its step of 16, beside other kinds of halves, and the last 8 go through the tail loop.
    const halves = Uint16Array.from({ length: 65536 + 8 }, (_, i) => (i < 8 ? 0x3c00 + i : i - 8));
    const out = new Float32Array(halves.length);
    kernels!.decodeHalves(new Uint8Array(halves.buffer), halves.length, out, 0);
    const expected = Float32Array.from(halves, (h) => fromHalf(h));
    expect(canonicalBits(out)).toEqual(canonicalBits(expected));
    for (const count of [8, 24, 40]) {
      const tail = Uint16Array.from({ length: count }, (_, i) => (i === count - 3 ? 0x0001 : i === count - 9 ? 0x7c00 : 0x3555 + i));
      const decoded = new Float32Array(count);
      kernels!.decodeHalves(new Uint8Array(tail.buffer), count, decoded, 0);
      expect(canonicalBits(decoded)).toEqual(canonicalBits(Float32Array.from(tail, (h) => fromHalf(h))));
    }
  });

  it('decode zeros of either sign among normal halves (the fast path) exactly', () => {
    const halves = Uint16Array.from([0x0000, 0x8000, 0x3c00, 0xc000, 0x0400, 0x8000, 0x7bff, 0x0000, 0x3555, 0xfbff, 0x0000, 0x0000, 0x8401, 0x2e66, 0x8000, 0x0000]);
    const out = new Float32Array(16);
    kernels!.decodeHalves(new Uint8Array(halves.buffer), 16, out, 0);
    expect(Array.from(out, (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(Array.from(halves, (h) => (Object.is(fromHalf(h), -0) ? '-0' : Math.fround(fromHalf(h)))));
  });

  it('decode odd counts from unaligned bytes into an offset, as the table does', () => {
    const random = seededRandom(5);
    const pool = Uint8Array.from({ length: 2 * 1000 + 3 }, () => (random() * 256) | 0);
    for (const count of [1, 7, 8, 9, 333, 1000]) {
      const bytes = pool.subarray(3, 3 + count * 2); // odd byte offset
      const simd = new Float32Array(count + 5).fill(7);
      const table = new Float32Array(count + 5).fill(7);
      decodeHalvesInto(bytes, count, simd, 5);
      decodeHalvesByTable(bytes, count, table, 5);
      expect(canonicalBits(simd)).toEqual(canonicalBits(table));
    }
  });

  it('compute the dot products of every row with every class row', () => {
    const random = seededRandom(9);
    const [n, dim, k] = [37, 48, 3];
    const x = Float32Array.from({ length: n * dim }, () => random() * 2 - 1);
    const w = Float32Array.from({ length: k * dim }, () => random() * 2 - 1);
    const logits = kernels!.logits(x, n, dim, w, k);
    expect(logits.length).toBe(n * k);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += x[i * dim + j]! * w[c * dim + j]!;
        expect(logits[i * k + c]).toBeCloseTo(dot, 4);
      }
    }
  });
});
