import { HistoError } from '../errors';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize';

/**
 * What a head does to a raw embedding before its model sees it. The choice (and any statistics)
 * is stored inside the head, applied by predictHeadProba and written into exported ONNX heads.
 *
 * - none: the raw embedding.
 * - l2: each row scaled to unit Euclidean norm (rows of norm 0 stay 0).
 * - standardize: per-dimension mean and std of the rows the model trains on (labelled rows plus any
 *   synthetic rows: the model is fitted on exactly that matrix, and views are real embeddings, so
 *   they make the estimate less noisy). With few labels this estimate is mostly noise.
 * - standardize-project: label-free mean and std of every stored view-0 embedding of the backbone
 *   in the project, frozen into the head when it is trained. Uses many rows, sees no labels.
 */
export const PREPROCESSINGS = ['none', 'l2', 'standardize', 'standardize-project'] as const;
export type Preprocessing = (typeof PREPROCESSINGS)[number];

export function isPreprocessing(value: unknown): value is Preprocessing {
  return typeof value === 'string' && (PREPROCESSINGS as readonly string[]).includes(value);
}

/** A fitted preprocessing: the choice and, for the standardising ones, its statistics. */
export interface FittedPreprocessing {
  method: Preprocessing;
  standardizer: Standardizer | null;
}

/**
 * Fits `method` for a training matrix (`x`, `n` rows). `projectStats` are the project-wide
 * statistics standardize-project freezes; without them that choice is refused.
 */
export function fitPreprocessing(method: Preprocessing, x: Float32Array, n: number, dim: number, projectStats: Standardizer | undefined): FittedPreprocessing {
  if (method === 'standardize') return { method, standardizer: fitStandardizer(x, n, dim) };
  if (method === 'standardize-project') {
    if (!projectStats) throw new HistoError('BAD_INPUT', 'preprocessing standardize-project: the backbone has no stored embeddings in this project to take statistics from (embed tiles first, or choose none, l2 or standardize)');
    if (projectStats.mean.length !== dim) throw new HistoError('VALIDATION', `preprocessing standardize-project: statistics of dim ${projectStats.mean.length} for embeddings of dim ${dim}`);
    return { method, standardizer: { mean: Float32Array.from(projectStats.mean), invStd: Float32Array.from(projectStats.invStd) } };
  }
  return { method, standardizer: null };
}

/** Rows scaled to unit L2 norm, into a new matrix. */
export function l2NormalizeRows(x: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[off + j]! * x[off + j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) out[off + j] = x[off + j]! * inv;
  }
  return out;
}

/** The preprocessed copy of n raw rows (the input itself for none). */
export function applyPreprocessing(p: FittedPreprocessing, x: Float32Array, n: number, dim: number): Float32Array {
  if (p.method === 'l2') return l2NormalizeRows(x, n, dim);
  if (p.standardizer) return applyStandardizer(p.standardizer, x, n);
  return x;
}
