import { HistoError } from '../errors';
import { createRng } from './random';

/**
 * Out-of-distribution scoring (issue 14): how far a tile lies from everything the head was trained
 * on, in the head's own preprocessed space. A tile's distance is the mean Euclidean distance to
 * its k nearest reference rows; its score is the percentile of that distance among the reference
 * set's own leave-one-out distances. 50 is a typical training tile; 99 is farther than 99% of
 * them; 100 is beyond all of them. The score needs no labels and no threshold tuning, and it is
 * comparable between heads.
 */
export interface OodReference {
  dim: number;
  /** Neighbours averaged per distance. */
  k: number;
  /** count * dim, row-major: preprocessed training rows (a seeded sample when there were more). */
  vectors: Float32Array;
  count: number;
  /** Leave-one-out k-NN distance of every reference row, ascending. */
  looDistances: Float32Array;
}

export { OOD_FLAG_PERCENTILE } from '../../../src-shared/domain/ood';
/** Reference rows kept: enough for a stable percentile, few enough that scoring a slide stays a small share of predicting it. */
export const OOD_MAX_REFERENCE = 1000;
export const OOD_NEIGHBOURS = 5;

/** Builds the reference from preprocessed training rows (`x`: n * dim). */
export function buildOodReference(x: Float32Array, n: number, dim: number, options: { k?: number; maxRows?: number; seed?: number } = {}): OodReference {
  if (n < 2) throw new HistoError('VALIDATION', `out-of-distribution reference: needs at least 2 training rows, got ${n}`);
  const maxRows = options.maxRows ?? OOD_MAX_REFERENCE;
  const rows = sampleRows(n, maxRows, options.seed ?? 1);
  const count = rows.length;
  const k = Math.max(1, Math.min(options.k ?? OOD_NEIGHBOURS, count - 1));
  const vectors = new Float32Array(count * dim);
  rows.forEach((row, i) => vectors.set(x.subarray(row * dim, (row + 1) * dim), i * dim));
  const looDistances = knnDistances({ dim, k, vectors, count }, vectors, count, true).sort();
  return { dim, k, vectors, count, looDistances };
}

/** Mean distance from each query row to its k nearest reference rows (`excludeSelf`: the reference's own rows, skipping the zero-distance match). */
export function knnDistances(reference: Pick<OodReference, 'dim' | 'k' | 'vectors' | 'count'>, queries: Float32Array, n: number, excludeSelf = false): Float32Array {
  const { dim, vectors, count } = reference;
  checkQueries(reference, queries, n);
  const dots = new Float64Array(count);
  const out = new Float32Array(n);
  const distances = new KnnDistances(reference, excludeSelf);
  for (let q = 0; q < n; q++) {
    const qo = q * dim;
    for (let r = 0; r < count; r++) {
      const ro = r * dim;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += queries[qo + j]! * vectors[ro + j]!;
      dots[r] = dot;
    }
    out[q] = distances.of(queries.subarray(qo, qo + dim), dots, q);
  }
  return out;
}

/** A matrix product (m x k) . (k x n), row-major: ONNX Runtime's GEMM (map/float-matmul.ts) in the app. */
export type MatMul = (a: Float32Array, m: number, k: number, b: Float32Array, n: number) => Promise<Float32Array>;

/** knnDistances with the dot products done by `matmul`, a block of queries at a time: tens of times faster on whole slides. */
export async function knnDistancesByMatMul(reference: OodReference, queries: Float32Array, n: number, matmul: MatMul, block = 1024): Promise<Float32Array> {
  const { dim, vectors, count } = reference;
  checkQueries(reference, queries, n);
  const transposed = new Float32Array(dim * count);
  for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) transposed[j * count + r] = vectors[r * dim + j]!;
  const out = new Float32Array(n);
  const distances = new KnnDistances(reference, false);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    const dots = await matmul(queries.subarray(start * dim, (start + rows) * dim), rows, dim, transposed, count);
    for (let i = 0; i < rows; i++) {
      const q = start + i;
      out[q] = distances.of(queries.subarray(q * dim, (q + 1) * dim), dots.subarray(i * count, (i + 1) * count), q);
    }
  }
  return out;
}

function checkQueries(reference: Pick<OodReference, 'dim'>, queries: Float32Array, n: number): void {
  if (queries.length < n * reference.dim) throw new HistoError('VALIDATION', `out-of-distribution scoring: ${n} rows of dim ${reference.dim} need ${n * reference.dim} values, got ${queries.length}`);
}

/** The k nearest reference rows of one query, from its dot products with every reference row. */
class KnnDistances {
  private readonly refNorms: Float64Array;
  private readonly nearest: Float64Array;

  constructor(
    private readonly reference: Pick<OodReference, 'dim' | 'k' | 'vectors' | 'count'>,
    private readonly excludeSelf: boolean,
  ) {
    this.refNorms = squaredNorms(reference.vectors, reference.count, reference.dim);
    this.nearest = new Float64Array(reference.k);
  }

  of(query: Float32Array, dots: ArrayLike<number>, queryIndex: number): number {
    const { k, count } = this.reference;
    const nearest = this.nearest;
    let qNorm = 0;
    for (let j = 0; j < query.length; j++) qNorm += query[j]! * query[j]!;
    nearest.fill(Infinity);
    for (let r = 0; r < count; r++) {
      if (this.excludeSelf && r === queryIndex) continue;
      const d2 = Math.max(0, qNorm + this.refNorms[r]! - 2 * dots[r]!);
      if (d2 < nearest[k - 1]!) insertSorted(nearest, d2);
    }
    let sum = 0;
    for (let i = 0; i < k; i++) sum += Math.sqrt(nearest[i]!);
    return sum / k;
  }
}

/** The percentile (0..100) of each distance among the reference's leave-one-out distances. */
export function oodPercentiles(reference: Pick<OodReference, 'looDistances'>, distances: Float32Array): Float32Array {
  const sorted = reference.looDistances;
  const out = new Float32Array(distances.length);
  for (let i = 0; i < distances.length; i++) out[i] = (100 * upperBound(sorted, distances[i]!)) / sorted.length;
  return out;
}

/** The OOD score (percentile) of each preprocessed query row. */
export function oodScores(reference: OodReference, queries: Float32Array, n: number): Float32Array {
  return oodPercentiles(reference, knnDistances(reference, queries, n));
}

function sampleRows(n: number, maxRows: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= maxRows) return all;
  const rng = createRng(seed);
  for (let i = 0; i < maxRows; i++) {
    const j = i + rng.int(n - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, maxRows).sort((a, b) => a - b);
}

function squaredNorms(x: Float32Array, n: number, dim: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) s += x[j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** Puts `value` into the ascending array, dropping its largest entry. */
function insertSorted(nearest: Float64Array, value: number): void {
  let i = nearest.length - 1;
  while (i > 0 && nearest[i - 1]! > value) {
    nearest[i] = nearest[i - 1]!;
    i--;
  }
  nearest[i] = value;
}

/** Count of entries <= value in an ascending array. */
function upperBound(sorted: Float32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const MAGIC = 0x4f4f4431; // 'OOD1'

/** Little-endian bytes: magic, dim, k, count, vectors, looDistances. */
export function serializeOodReference(ref: OodReference): Buffer {
  const out = Buffer.alloc(16 + 4 * (ref.vectors.length + ref.looDistances.length));
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(ref.dim, 4);
  out.writeUInt32LE(ref.k, 8);
  out.writeUInt32LE(ref.count, 12);
  Buffer.from(ref.vectors.buffer, ref.vectors.byteOffset, ref.vectors.byteLength).copy(out, 16);
  Buffer.from(ref.looDistances.buffer, ref.looDistances.byteOffset, ref.looDistances.byteLength).copy(out, 16 + ref.vectors.byteLength);
  return out;
}

export function deserializeOodReference(bytes: Uint8Array): OodReference {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 16 || view.getUint32(0, true) !== MAGIC) throw new HistoError('BAD_INPUT', 'out-of-distribution reference: not an OOD1 record');
  const dim = view.getUint32(4, true);
  const k = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (bytes.byteLength !== 16 + 4 * (count * dim + count)) throw new HistoError('BAD_INPUT', `out-of-distribution reference: ${bytes.byteLength} bytes for ${count} rows of dim ${dim}`);
  // A copy, so the floats are aligned whatever the BLOB's offset (Buffer#slice would share memory).
  const body = new Uint8Array(bytes.byteLength - 16);
  body.set(bytes.subarray(16));
  const floats = new Float32Array(body.buffer);
  return { dim, k, count, vectors: floats.slice(0, count * dim), looDistances: floats.slice(count * dim) };
}
