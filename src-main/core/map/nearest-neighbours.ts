import { transpose, type FloatMatMul } from './float-matmul';

export interface Neighbours {
  k: number;
  /** count x k indexes into the reference rows, nearest first. */
  indices: Int32Array;
  /** count x k Euclidean distances, ascending. */
  distances: Float32Array;
}

function squaredNorms(rows: Float32Array, count: number, dim: number): Float32Array {
  const out = new Float32Array(count);
  for (let r = 0; r < count; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += rows[r * dim + j]! ** 2;
    out[r] = s;
  }
  return out;
}

/** A reference set prepared for repeated neighbour queries: its transpose and squared norms. */
export interface ReferenceRows {
  count: number;
  dim: number;
  transposed: Float32Array;
  norms: Float32Array;
}

export function referenceRows(rows: Float32Array, count: number, dim: number): ReferenceRows {
  return { count, dim, transposed: transpose(rows, count, dim), norms: squaredNorms(rows, count, dim) };
}

/**
 * Exact k nearest reference rows of each query row (Euclidean), by |q|^2 + |r|^2 - 2 q.r with the
 * products from one GEMM. `skipSelf` leaves out the reference row with the query's own index
 * (for the reference set's own neighbour graph).
 */
export async function nearestNeighbours(queries: Float32Array, count: number, ref: ReferenceRows, k: number, matmul: FloatMatMul, skipSelf = false, firstIndex = 0): Promise<Neighbours> {
  const kk = Math.min(k, ref.count - (skipSelf ? 1 : 0));
  const indices = new Int32Array(count * kk);
  const distances = new Float32Array(count * kk);
  const products = await matmul.product(queries, count, ref.dim, ref.transposed, ref.count);
  const qNorms = squaredNorms(queries, count, ref.dim);
  const bestD = new Float64Array(kk);
  const bestI = new Int32Array(kk);
  for (let q = 0; q < count; q++) {
    bestD.fill(Infinity);
    bestI.fill(-1);
    const base = q * ref.count;
    for (let r = 0; r < ref.count; r++) {
      if (skipSelf && r === firstIndex + q) continue;
      const d = qNorms[q]! + ref.norms[r]! - 2 * products[base + r]!;
      if (d >= bestD[kk - 1]!) continue;
      let p = kk - 1;
      while (p > 0 && bestD[p - 1]! > d) {
        bestD[p] = bestD[p - 1]!;
        bestI[p] = bestI[p - 1]!;
        p--;
      }
      bestD[p] = d;
      bestI[p] = r;
    }
    for (let j = 0; j < kk; j++) {
      indices[q * kk + j] = bestI[j]!;
      distances[q * kk + j] = Math.sqrt(Math.max(0, bestD[j]!));
    }
  }
  return { k: kk, indices, distances };
}
