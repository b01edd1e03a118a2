import { HistoError } from '../errors';

/** Per-dimension centring and scaling, fitted on training rows only and stored inside each head. */
export interface Standardizer {
  mean: Float32Array;
  /** 1 / std (1 where a dimension is constant). */
  invStd: Float32Array;
}

/** Fits mean and std over `rows` (all rows when omitted) of an n * dim matrix, in double precision. */
export function fitStandardizer(x: Float32Array, n: number, dim: number, rows?: ArrayLike<number>): Standardizer {
  const count = rows ? rows.length : n;
  if (count < 1) throw new HistoError('VALIDATION', 'standardize: no rows to fit on');
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  // Two passes (mean, then centred squares) so large offsets do not cancel.
  for (let i = 0; i < count; i++) {
    const off = (rows ? rows[i]! : i) * dim;
    for (let j = 0; j < dim; j++) sum[j]! += x[off + j]!;
  }
  for (let j = 0; j < dim; j++) sum[j] = sum[j]! / count;
  for (let i = 0; i < count; i++) {
    const off = (rows ? rows[i]! : i) * dim;
    for (let j = 0; j < dim; j++) {
      const d = x[off + j]! - sum[j]!;
      sumSq[j]! += d * d;
    }
  }
  const mean = new Float32Array(dim);
  const invStd = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    mean[j] = sum[j]!;
    const std = Math.sqrt(sumSq[j]! / count);
    invStd[j] = std > 1e-12 ? 1 / std : 1;
  }
  return { mean, invStd };
}

/** (x - mean) / std for n rows, into a new matrix. */
export function applyStandardizer(s: Standardizer, x: Float32Array, n: number): Float32Array {
  const dim = s.mean.length;
  if (x.length < n * dim) throw new HistoError('VALIDATION', `standardize: x holds ${x.length} values, expected ${n} x ${dim}`);
  const out = new Float32Array(n * dim);
  const { mean, invStd } = s;
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    for (let j = 0; j < dim; j++) out[off + j] = (x[off + j]! - mean[j]!) * invStd[j]!;
  }
  return out;
}
