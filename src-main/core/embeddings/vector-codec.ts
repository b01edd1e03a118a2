/**
 * Embedding vectors as stored BLOBs: little-endian float32 (exact) or IEEE float16 (half the space,
 * ~1e-3 relative error). Node 20 has no Float16Array, so half floats are converted by hand.
 */
export type VectorDtype = 'float32' | 'float16';

import { simdKernels } from './simd-kernels';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalf(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    // round half to even
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // Rounding may carry into the exponent; the bit layout makes that exactly right (up to Inf).
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function fromHalf(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Encodes one vector (a view of a larger array is fine) as a BLOB. */
export function encodeVector(vector: Float32Array, dtype: VectorDtype): Buffer {
  // Copied: the caller reuses its batch buffers.
  if (dtype === 'float32') return Buffer.from(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  const out = Buffer.allocUnsafe(vector.length * 2);
  for (let i = 0; i < vector.length; i++) out.writeUInt16LE(toHalf(vector[i]!), i * 2);
  return out;
}

/** Decodes a stored BLOB into `target` at `offset`, checking its length against the dimension. */
export function decodeVectorInto(blob: Buffer, dtype: VectorDtype, dim: number, target: Float32Array, offset: number): void {
  if (dtype === 'float32') {
    if (blob.byteLength !== dim * 4) throw new Error(`stored vector has ${blob.byteLength} bytes, expected ${dim * 4} (float32 x ${dim})`);
    // BLOBs come back as Buffers that may sit at any offset of a shared pool: copy bytes, not floats.
    new Uint8Array(target.buffer, target.byteOffset + offset * 4, dim * 4).set(blob);
    return;
  }
  if (blob.byteLength !== dim * 2) throw new Error(`stored vector has ${blob.byteLength} bytes, expected ${dim * 2} (float16 x ${dim})`);
  decodeHalvesInto(blob, dim, target, offset);
}

let halfTable: Float32Array | null = null;
let halfScratch = new Uint32Array(0);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function halves(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = fromHalf(h);
  }
  return halfTable;
}

/**
 * Decodes `count` little-endian halves from `bytes` into `target` at `offset`: by the WebAssembly
 * SIMD kernel where it runs (about 3x the table), the last few (and everything elsewhere) by table.
 */
export function decodeHalvesInto(bytes: Uint8Array, count: number, target: Float32Array, offset: number): void {
  const kernels = littleEndian ? simdKernels() : null;
  const bulk = count & ~7;
  if (kernels && bulk > 0) {
    kernels.decodeHalves(bytes, bulk, target, offset);
    if (bulk < count) decodeHalvesByTable(bytes.subarray(bulk * 2), count - bulk, target, offset + bulk);
    return;
  }
  decodeHalvesByTable(bytes, count, target, offset);
}

/** fromHalf by lookup in a table of all 65,536 halves. */
export function decodeHalvesByTable(bytes: Uint8Array, count: number, target: Float32Array, offset: number): void {
  const table = halves();
  if (!littleEndian) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    for (let i = 0; i < count; i++) target[offset + i] = table[view.getUint16(i * 2, true)]!;
    return;
  }
  // Two halves per 32-bit read (about twice as fast as 16-bit reads); BLOBs may sit at any offset
  // of a shared pool, so unaligned bytes are copied to aligned scratch first.
  const words = count >>> 1;
  let pairs: Uint32Array;
  if (bytes.byteOffset % 4 === 0) pairs = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
  else {
    if (halfScratch.length < words + 1) halfScratch = new Uint32Array(words + 1);
    new Uint8Array(halfScratch.buffer, 0, count * 2).set(bytes.subarray(0, count * 2));
    pairs = halfScratch;
  }
  for (let i = 0, j = offset; i < words; i++, j += 2) {
    const word = pairs[i]!;
    target[j] = table[word & 0xffff]!;
    target[j + 1] = table[word >>> 16]!;
  }
  if (count & 1) target[offset + count - 1] = table[bytes[count * 2 - 2]! | (bytes[count * 2 - 1]! << 8)]!;
}

/** Bytes one stored value takes. */
export function bytesPerValue(dtype: VectorDtype): number {
  return dtype === 'float32' ? 4 : 2;
}

/** Encodes equal-length vectors back to back as one packed BLOB (a block of the vector store). */
export function encodeRows(rows: readonly Float32Array[], dtype: VectorDtype): Buffer {
  const dim = rows[0]?.length ?? 0;
  const out = Buffer.allocUnsafe(rows.length * dim * bytesPerValue(dtype));
  rows.forEach((row, r) => {
    if (row.length !== dim) throw new Error(`vector ${r} has ${row.length} values, expected ${dim}`);
    if (dtype === 'float32') out.set(new Uint8Array(row.buffer, row.byteOffset, row.byteLength), r * dim * 4);
    else for (let i = 0; i < dim; i++) out.writeUInt16LE(toHalf(row[i]!), (r * dim + i) * 2);
  });
  return out;
}

/** Decodes `count` packed values (float32 or float16) from `bytes` into `target` at `offset`. */
export function decodeValuesInto(bytes: Uint8Array, dtype: VectorDtype, count: number, target: Float32Array, offset: number): void {
  if (dtype === 'float16') return decodeHalvesInto(bytes, count, target, offset);
  if (littleEndian && bytes.byteOffset % 4 === 0) target.set(new Float32Array(bytes.buffer, bytes.byteOffset, count), offset);
  else new Uint8Array(target.buffer, target.byteOffset + offset * 4, count * 4).set(bytes.subarray(0, count * 4));
}

/**
 * Decodes whole stored blocks for one scan. Each result is valid until the next call (a view of
 * the scan's own SIMD decoder memory, or of one reused buffer): copy what you keep.
 */
export function blockDecoder(): (bytes: Uint8Array, dtype: VectorDtype, count: number) => Float32Array {
  const simd = littleEndian ? simdKernels()?.ownDecoder() : undefined;
  let buffer = new Float32Array(0);
  return (bytes, dtype, count) => {
    if (dtype === 'float16' && simd && count % 8 === 0) return simd.decode(bytes, count);
    if (buffer.length < count) buffer = new Float32Array(count);
    decodeValuesInto(bytes, dtype, count, buffer, 0);
    return buffer.subarray(0, count);
  };
}
