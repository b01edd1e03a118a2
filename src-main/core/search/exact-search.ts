import type { Int8MatMul } from './int8-matmul';
import { normalizeInPlace, quantizeVector, ROW_CODE_BIAS, type QuantizedIndex } from './quantized-index';
import { TopK } from './top-k';

export interface ScoredRow {
  row: number;
  similarity: number;
}

/** Stored float vectors of index rows, `rows.length x dim`, as the store holds them (any length). */
export type ExactVectors = (rows: readonly number[]) => Float32Array | Promise<Float32Array>;

/** Approximate cosine similarity of every row to a unit query, from int8 dot products; masked rows get -Infinity. */
export async function approximateSimilarities(index: QuantizedIndex, matmul: Int8MatMul, unitQuery: Float32Array, allowed: Uint8Array | null) {
  const query = quantizeVector(unitQuery);
  const similarities = new Float32Array(index.count);
  let base = 0;
  for (const block of index.blocks) {
    const dots = await matmul.dots(block.codes, block.count, query.codes, ROW_CODE_BIAS);
    const scales = block.scales;
    const queryScale = query.scale;
    // Two loops rather than a test per row: most searches have no filter.
    if (allowed) {
      for (let i = 0; i < block.count; i++) similarities[base + i] = allowed[base + i] ? dots[i]! * scales[i]! * queryScale : -Infinity;
    } else {
      for (let i = 0; i < block.count; i++) similarities[base + i] = dots[i]! * scales[i]! * queryScale;
    }
    base += block.count;
  }
  // |exact - approximate| <= |row residual| + |row codes| * |query residual|, and |row codes| <= 1 + residual.
  const errorBound = index.maxResidual + (1 + index.maxResidual) * query.residual;
  return { similarities, errorBound };
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
  const { similarities, errorBound } = await approximateSimilarities(index, matmul, unit, allowed);
  const eligible = allowed ? allowed.reduce((n, a) => n + (a ? 1 : 0), 0) : index.count;
  let poolSize = Math.min(eligible, Math.max(4 * k, k + 256));
  for (;;) {
    const pool = new TopK(poolSize);
    for (let i = 0; i < similarities.length; i++) if (similarities[i]! > pool.threshold) pool.push(i, similarities[i]!);
    const candidates = pool.sorted();
    const rows = candidates.map((c) => c.id);
    const vectors = await exactVectors(rows);
    const scored = rows.map((row, i) => ({ row, similarity: cosine(vectors, i * index.dim, unit) }));
    scored.sort((a, b) => b.similarity - a.similarity || a.row - b.row);
    const top = scored.slice(0, k);
    const weakestCandidate = candidates.length ? candidates[candidates.length - 1]!.score : -Infinity;
    const kth = top.length === k ? top[k - 1]!.similarity : -Infinity;
    if (candidates.length >= eligible || kth >= weakestCandidate + errorBound) return top;
    poolSize = Math.min(eligible, poolSize * 4);
  }
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
