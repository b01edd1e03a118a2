/**
 * Seeded mutations of slide files for the fuzzer: bit flips, byte sets, chunk deletion and
 * duplication, truncation, and integer tweaks aimed at TIFF IFD entries. A case is fully named by
 * (base fixture, case seed): the supervisor and its workers derive the same bytes from it, so a
 * finding is reproduced and minimised without shipping files between processes.
 */
import { mixSeed, seededRandom } from '../../../src-main/core/backbones/seeded-random';

export type MutationOp =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number; length: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'entry'; at: number; width: 2 | 4 | 8; value: number };

/** Byte ranges of a TIFF worth aiming at: the header, every IFD entry's type/count/value fields. */
export interface TiffMap {
  /** Offsets of the 12- (or 20-) byte IFD entries. */
  entries: number[];
  bigTiff: boolean;
}

/** Walks the IFDs of a little- or big-endian TIFF/BigTIFF (main chain and SubIFDs) to find entry offsets. */
export function mapTiff(data: Uint8Array): TiffMap {
  const entries: number[] = [];
  if (data.length < 16) return { entries, bigTiff: false };
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = data[0] === 0x49;
  const bigTiff = v.getUint16(2, le) === 43;
  const seen = new Set<number>();
  const queue: number[] = [bigTiff ? Number(v.getBigUint64(8, le)) : v.getUint32(4, le)];
  while (queue.length > 0 && seen.size < 256) {
    let at = queue.shift()!;
    while (at > 0 && at + 8 < data.length && !seen.has(at)) {
      seen.add(at);
      const n = bigTiff ? Number(v.getBigUint64(at, le)) : v.getUint16(at, le);
      const size = bigTiff ? 20 : 12;
      const first = at + (bigTiff ? 8 : 2);
      if (n > 4096 || first + n * size + (bigTiff ? 8 : 4) > data.length) break;
      for (let i = 0; i < n; i++) {
        const e = first + i * size;
        entries.push(e);
        if (v.getUint16(e, le) === 330) {
          // SubIFDs: inline or an array of offsets.
          const count = bigTiff ? Number(v.getBigUint64(e + 4, le)) : v.getUint32(e + 4, le);
          const type = v.getUint16(e + 2, le);
          const w = type === 16 || type === 18 ? 8 : 4;
          const inline = count * w <= (bigTiff ? 8 : 4);
          const base = inline ? e + (bigTiff ? 12 : 8) : bigTiff ? Number(v.getBigUint64(e + 12, le)) : v.getUint32(e + 8, le);
          for (let k = 0; k < count && k < 64 && base + (k + 1) * w <= data.length; k++) {
            queue.push(w === 8 ? Number(v.getBigUint64(base + k * w, le)) : v.getUint32(base + k * w, le));
          }
        }
      }
      const nextAt = first + n * size;
      at = bigTiff ? Number(v.getBigUint64(nextAt, le)) : v.getUint32(nextAt, le);
    }
  }
  return { entries, bigTiff };
}

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 15, 16, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/** The 1-4 mutations of one case, drawn from its seed. */
export function drawMutations(size: number, map: TiffMap, seed: number): MutationOp[] {
  const rand = seededRandom(mixSeed(seed, 0x5eed));
  const int = (n: number): number => Math.floor(rand() * Math.max(1, n));
  const ops: MutationOp[] = [];
  const count = 1 + int(4);
  // Most structure lives in the first few KB and in the IFD entries: aim there half of the time.
  const offset = (): number => {
    const r = rand();
    if (r < 0.45 && map.entries.length > 0) return map.entries[int(map.entries.length)]! + int(map.bigTiff ? 20 : 12);
    if (r < 0.6) return int(Math.min(size, 4096));
    return int(size);
  };
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.25) ops.push({ kind: 'flip', at: offset(), bit: int(8) });
    else if (r < 0.4) ops.push({ kind: 'set', at: offset(), value: [0, 0xff, int(256)][int(3)]!, length: 1 + (rand() < 0.7 ? 0 : int(16)) });
    else if (r < 0.47) ops.push({ kind: 'delete', at: offset(), length: 1 + int(rand() < 0.5 ? 8 : 256) });
    else if (r < 0.54) ops.push({ kind: 'duplicate', at: offset(), length: 1 + int(rand() < 0.5 ? 8 : 256) });
    else if (r < 0.62) ops.push({ kind: 'truncate', at: int(size) });
    else if (map.entries.length > 0) {
      const e = map.entries[int(map.entries.length)]!;
      // Field: 2 type, 4 count, 8 value/offset (classic); 2 type, 4 count (8), 12 value (8) in BigTIFF.
      const field = int(3);
      const at = e + (field === 0 ? 2 : field === 1 ? 4 : map.bigTiff ? 12 : 8);
      const width: 2 | 4 | 8 = field === 0 ? 2 : map.bigTiff ? 8 : 4;
      const mode = int(4);
      const value = mode === 0 ? INTERESTING[int(INTERESTING.length)]! : mode === 1 ? size + int(64) - 32 : mode === 2 ? -1 : int(2 ** 32);
      ops.push({ kind: 'entry', at, width, value });
    } else {
      ops.push({ kind: 'flip', at: offset(), bit: int(8) });
    }
  }
  return ops;
}

/**
 * Applies the ops to a copy of `base`, into `scratch` when it is large enough (reused between
 * cases); returns the mutated bytes (a view of scratch or a new array).
 */
export function applyMutations(base: Uint8Array, ops: MutationOp[], scratch?: { buf: Uint8Array }): Uint8Array {
  let data: Uint8Array;
  if (scratch && scratch.buf.length >= base.length) {
    data = scratch.buf.subarray(0, base.length);
    data.set(base);
  } else {
    data = base.slice();
  }
  for (const op of ops) {
    const n = data.length;
    if (n === 0) break;
    switch (op.kind) {
      case 'flip':
        if (op.at < n) data[op.at] = data[op.at]! ^ (1 << op.bit);
        break;
      case 'set':
        data.fill(op.value, Math.min(op.at, n), Math.min(op.at + op.length, n));
        break;
      case 'delete': {
        if (op.at >= n) break;
        const out = new Uint8Array(n - Math.min(op.length, n - op.at));
        out.set(data.subarray(0, op.at));
        out.set(data.subarray(op.at + op.length), op.at);
        data = out;
        break;
      }
      case 'duplicate': {
        if (op.at >= n) break;
        const chunk = data.subarray(op.at, Math.min(n, op.at + op.length));
        const out = new Uint8Array(n + chunk.length);
        out.set(data.subarray(0, op.at + chunk.length));
        out.set(chunk, op.at + chunk.length);
        out.set(data.subarray(op.at + chunk.length), op.at + 2 * chunk.length);
        data = out;
        break;
      }
      case 'truncate':
        data = data.subarray(0, Math.min(op.at, n));
        break;
      case 'entry': {
        if (op.at + op.width > n) break;
        const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
        if (op.width === 2) v.setUint16(op.at, op.value & 0xffff, true);
        else if (op.width === 4) v.setUint32(op.at, op.value >>> 0, true);
        else v.setBigUint64(op.at, op.value < 0 ? 0xffffffffffffffffn : BigInt(op.value), true);
        break;
      }
    }
  }
  return data;
}
