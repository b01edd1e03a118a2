import type { Int8MatMul } from './int8-matmul';
import { normalizeInPlace, quantizeVector, ROW_CODE_BIAS, type QuantizedIndex } from './quantized-index';
import { TopK } from './top-k';

export interface ScoredRow {
  row: number;
  similarity: number;
}

/** Stored float vectors of index rows, `rows.length x dim`, as the store holds them (any length). */
export type ExactVectors = (rows: readonly number[]) => Float32Array | Promise<Float32Array>;

/**
 * One similarity buffer per index, reused by every query on it: a fresh 4 MB array per query of a
 * 1M-row index costs an allocation and page faults for nothing. A query takes the buffer and
 * gives it back when done, so a concurrent query on the same index finds none and makes its own.
 */
const spareBuffers = new WeakMap<QuantizedIndex, Float32Array>();

function takeBuffer(index: QuantizedIndex): Float32Array {
  const spare = spareBuffers.get(index);
  spareBuffers.delete(index);
  return spare && spare.length >= index.count ? spare : new Float32Array(index.count);
}

/**
 * Approximate cosine similarity of every row to a unit query, from int8 dot products (masked rows
 * get -Infinity), and the best `poolSize` rows by it, collected while the blocks are scored so the
 * scores are not scanned a second time.
 */
export async function approximateSimilarities(index: QuantizedIndex, matmul: Int8MatMul, unitQuery: Float32Array, allowed: Uint8Array | null, poolSize = 0) {
  const query = quantizeVector(unitQuery);
  const similarities = takeBuffer(index);
  const pool = new TopK(Math.max(1, poolSize));
  let threshold = pool.threshold;
  let base = 0;
  for (const block of index.blocks) {
    const dots = await matmul.dots(block.codes, block.count, query.codes, ROW_CODE_BIAS);
    const scales = block.scales;
    const count = block.count;
    const qScale = query.scale;
    if (allowed) {
      for (let i = 0; i < count; i++) {
        const s = allowed[base + i] ? dots[i]! * scales[i]! * qScale : -Infinity;
        similarities[base + i] = s;
        if (s > threshold) {
          pool.push(base + i, s);
          threshold = pool.threshold;
        }
      }
    } else {
      // No filter: no per-row mask read or branch.
      for (let i = 0; i < count; i++) {
        const s = dots[i]! * scales[i]! * qScale;
        similarities[base + i] = s;
        if (s > threshold) {
          pool.push(base + i, s);
          threshold = pool.threshold;
        }
      }
    }
    base += count;
  }
  // |exact - approximate| <= |row residual| + |row codes| * |query residual|, and |row codes| <= 1 + residual.
  const errorBound = index.maxResidual + (1 + index.maxResidual) * query.residual;
  return { similarities: similarities.subarray(0, index.count), errorBound, pool, release: () => spareBuffers.set(index, similarities) };
}

/**
 * Exact top-k by cosine: int8 products pick a candidate pool, the pool is rescored with the stored
 * float vectors, and the pool grows until no row outside it could beat the k-th result (its
 * approximate score plus the error bound stays below the k-th exact score). The answer is exactly
 * what a float scan of every row gives, at a quarter of the memory traffic.
 */
export async function exactTopK(
  index: QuantizedIndex,
  matmul: Int8MatMul,
  query: Float32Array,
  k: number,
  exactVectors: ExactVectors,
  allowed: Uint8Array | null = null,
): Promise<ScoredRow[]> {
  const unit = Float32Array.from(query);
  if (normalizeInPlace(unit) === 0) return [];
  const eligible = allowed ? countAllowed(allowed, index.count) : index.count;
  let poolSize = Math.min(eligible, Math.max(4 * k, k + 256));
  if (poolSize === 0) return [];
  const approximate = await approximateSimilarities(index, matmul, unit, allowed, poolSize);
  const { similarities, errorBound } = approximate;
  let pool = approximate.pool;
  try {
    for (;;) {
      const candidates = pool.sorted();
      const rows = candidates.map((c) => c.id);
      const vectors = await exactVectors(rows);
      const scored = rows.map((row, i) => ({ row, similarity: cosine(vectors, i * index.dim, unit) }));
      scored.sort((a, b) => b.similarity - a.similarity || a.row - b.row);
      const top = scored.slice(0, k);
      const weakestCandidate = candidates.length ? candidates[candidates.length - 1]!.score : -Infinity;
      const kth = top.length === k ? top[k - 1]!.similarity : -Infinity;
      if (candidates.length >= eligible || kth >= weakestCandidate + errorBound) return top;
      // Rare: the bound did not close, so widen the pool from the kept scores.
      poolSize = Math.min(eligible, poolSize * 4);
      pool = new TopK(poolSize);
      for (let i = 0; i < similarities.length; i++) if (similarities[i]! > pool.threshold) pool.push(i, similarities[i]!);
    }
  } finally {
    approximate.release();
  }
}

function countAllowed(allowed: Uint8Array, rows: number): number {
  let n = 0;
  for (let i = 0; i < rows; i++) if (allowed[i]) n++;
  return n;
}

function cosine(vectors: Float32Array, offset: number, unit: Float32Array): number {
  let dot = 0;
  let norm = 0;
  for (let j = 0; j < unit.length; j++) {
    const v = vectors[offset + j]!;
    dot += v * unit[j]!;
    norm += v * v;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : 0;
}
