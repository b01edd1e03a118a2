import type { Dataset } from './dataset';
import { createRng } from './random';
import { fitStandardizer } from './standardize';

export interface FailureModeOptions {
  /** Labelled rows per class in the pool the curve draws from. */
  perClass: number;
  /** Unlabelled rows the project statistics come from (like the rest of a slide's tiles). */
  unlabelled: number;
  seed: number;
  /** Total dimensions (default 512). */
  dim?: number;
  /** Stored views per row (embedding of a transformed tile: the row plus small noise). Default 0. */
  views?: number;
}

/**
 * A generated problem built to show why standardising on a handful of labelled rows fails:
 * high-dimensional and strongly anisotropic, like a CNN embedding.
 *
 * - 3 classes. 24 informative dimensions with std 1 carry class-mean shifts of +-1.2: their
 *   variance is low next to
 * - 8 nuisance dimensions with std 3 (staining, focus: large, label-free variation), and
 * - the rest: near-silent dimensions with std between 0.001 and 0.05 (log-uniform), pure noise.
 *
 * Raw embeddings barely see the silent dimensions. Standardising (on rows or on the project)
 * lifts every silent dimension to unit variance, so hundreds of noise dimensions drown the 24
 * informative ones unless there are many labels; per-row statistics from a few rows add their
 * own estimation noise on top. The dataset's projectStats come from `unlabelled` extra rows.
 */
export function makeFailureModeDataset(options: FailureModeOptions): Dataset {
  const dim = options.dim ?? 512;
  const k = 3;
  const informative = 24;
  const nuisance = 8;
  const rng = createRng(options.seed);
  const scale = new Float64Array(dim);
  for (let j = 0; j < dim; j++) scale[j] = j < informative ? 1 : j < informative + nuisance ? 3 : Math.exp(Math.log(0.001) + rng.next() * (Math.log(0.05) - Math.log(0.001)));
  // Class means: each class shifts its own third of the informative dimensions by +1.2, the others by -0.6.
  const means = new Float64Array(k * dim);
  for (let c = 0; c < k; c++) for (let j = 0; j < informative; j++) means[c * dim + j] = Math.floor(j / (informative / k)) === c ? 1.2 : -0.6;
  const offset = new Float64Array(dim);
  for (let j = 0; j < dim; j++) offset[j] = 2 * scale[j]! * rng.normal();
  const row = (c: number | null, out: Float32Array, at: number): void => {
    for (let j = 0; j < dim; j++) out[at + j] = offset[j]! + (c === null ? 0 : means[c * dim + j]!) + scale[j]! * rng.normal();
  };
  const n = options.perClass * k;
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % k;
    row(y[i]!, x, i * dim);
  }
  const pool = new Float32Array(options.unlabelled * dim);
  // Unlabelled rows: an even class mix, labels unknown to the statistics.
  for (let i = 0; i < options.unlabelled; i++) row(i % k, pool, i * dim);
  const data: Dataset = { x, n, dim, y, classes: ['a', 'b', 'c'], groups: Int32Array.from({ length: n }, (_, i) => i), projectStats: fitStandardizer(pool, options.unlabelled, dim) };
  const views = options.views ?? 0;
  if (views > 0) {
    const vx = new Float32Array(n * views * dim);
    const vrow = new Int32Array(n * views);
    for (let i = 0; i < n; i++) {
      for (let v = 0; v < views; v++) {
        const at = (i * views + v) * dim;
        // A view moves the embedding a little along every dimension, in proportion to its scale.
        for (let j = 0; j < dim; j++) vx[at + j] = x[i * dim + j]! + 0.3 * scale[j]! * rng.normal();
        vrow[i * views + v] = i;
      }
    }
    data.views = { x: vx, n: n * views, row: vrow };
  }
  return data;
}
