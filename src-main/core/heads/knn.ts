import { HistoError } from '../errors';
import { validateLabels, validateMatrix } from './dataset';
import { l2NormalizeRows } from './preprocessing';

export interface KnnParams {
  /** Neighbours that vote. Default 15. */
  k?: number;
  /** Weigh votes by 1 / (cosine distance + 1e-6) instead of one vote each. Default false. */
  distanceWeighted?: boolean;
}

export const KNN_DEFAULTS = { k: 15, distanceWeighted: false };

export interface KnnModel {
  classes: number;
  dim: number;
  neighbours: number;
  distanceWeighted: boolean;
  /** Training rows, L2-normalised (n * dim). */
  x: Float32Array;
  n: number;
  y: Int32Array;
}

/** Cosine kNN: "fitting" stores the normalised training rows. */
export function fitKnn(x: Float32Array, n: number, dim: number, y: Int32Array, classes: number, params: KnnParams = {}): KnnModel {
  validateMatrix(x, n, dim, 'knn');
  if (n < 1) throw new HistoError('VALIDATION', 'knn: no training rows');
  const neighbours = params.k ?? KNN_DEFAULTS.k;
  if (!Number.isInteger(neighbours) || neighbours < 1) throw new HistoError('VALIDATION', `knn: k must be a positive integer, got ${neighbours}`);
  const labels = Int32Array.from(y.subarray(0, n));
  validateLabels(labels, classes, 'knn');
  return { classes, dim, neighbours, distanceWeighted: params.distanceWeighted ?? KNN_DEFAULTS.distanceWeighted, x: l2NormalizeRows(x, n, dim), n, y: labels };
}

/**
 * Probabilities from the votes of the k most similar training rows (cosine). Queries go four at a
 * time so each training row read from memory serves four dot products.
 */
export function predictKnn(model: KnnModel, x: Float32Array, n: number): Float32Array {
  const { dim, classes } = model;
  validateMatrix(x, n, dim, 'knn predict');
  const kk = Math.min(model.neighbours, model.n);
  const q = l2NormalizeRows(x, n, dim);
  const out = new Float32Array(n * classes);
  const train = model.x;
  const Q = 4;
  const sims = new Float64Array(Q * model.n);
  const topSim = new Float64Array(kk);
  const topIdx = new Int32Array(kk);
  const votes = new Float64Array(classes);
  for (let start = 0; start < n; start += Q) {
    const m = Math.min(Q, n - start);
    const o0 = start * dim;
    const o1 = m > 1 ? o0 + dim : o0;
    const o2 = m > 2 ? o0 + 2 * dim : o0;
    const o3 = m > 3 ? o0 + 3 * dim : o0;
    for (let t = 0; t < model.n; t++) {
      const to = t * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < dim; j++) {
        const v = train[to + j]!;
        s0 += v * q[o0 + j]!;
        s1 += v * q[o1 + j]!;
        s2 += v * q[o2 + j]!;
        s3 += v * q[o3 + j]!;
      }
      sims[t] = s0;
      sims[model.n + t] = s1;
      sims[2 * model.n + t] = s2;
      sims[3 * model.n + t] = s3;
    }
    for (let r = 0; r < m; r++) {
      // Top-k by insertion into a small sorted list (k is small); ties go to the lower row index.
      let filled = 0;
      const base = r * model.n;
      for (let t = 0; t < model.n; t++) {
        const s = sims[base + t]!;
        if (filled === kk && s <= topSim[kk - 1]!) continue;
        let pos = filled < kk ? filled++ : kk - 1;
        while (pos > 0 && topSim[pos - 1]! < s) {
          topSim[pos] = topSim[pos - 1]!;
          topIdx[pos] = topIdx[pos - 1]!;
          pos--;
        }
        topSim[pos] = s;
        topIdx[pos] = t;
      }
      votes.fill(0);
      let total = 0;
      for (let t = 0; t < filled; t++) {
        const w = model.distanceWeighted ? 1 / (Math.max(0, 1 - topSim[t]!) + 1e-6) : 1;
        votes[model.y[topIdx[t]!]!]! += w;
        total += w;
      }
      const row = (start + r) * classes;
      for (let c = 0; c < classes; c++) out[row + c] = total > 0 ? votes[c]! / total : 1 / classes;
    }
  }
  return out;
}
