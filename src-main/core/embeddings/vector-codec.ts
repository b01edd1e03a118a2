/**
 * Embedding vectors as stored BLOBs: little-endian float32 (exact) or IEEE float16 (half the space,
 * ~1e-3 relative error). Node 20 has no Float16Array, so half floats are converted by hand.
 */
export type VectorDtype = 'float32' | 'float16';

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
let halfScratch = new Uint16Array(0);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes `count` little-endian halves from `bytes` into `target` at `offset`: fromHalf by table lookup. */
export function decodeHalvesInto(bytes: Uint8Array, count: number, target: Float32Array, offset: number): void {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = fromHalf(h);
  }
  const table = halfTable;
  if (!littleEndian) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    for (let i = 0; i < count; i++) target[offset + i] = table[view.getUint16(i * 2, true)]!;
    return;
  }
  // Copy bytes first: the blob may sit at an odd offset of a shared pool.
  if (halfScratch.length < count) halfScratch = new Uint16Array(count);
  const halves = halfScratch;
  new Uint8Array(halves.buffer, 0, count * 2).set(bytes.subarray(0, count * 2));
  for (let i = 0; i < count; i++) target[offset + i] = table[halves[i]!]!;
}
