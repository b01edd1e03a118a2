import { HistoError } from '../errors';
import type { Dataset } from './dataset';
import { createRng } from './random';

export interface SyntheticOptions {
  n: number;
  dim: number;
  /** Number of classes (>= 2). */
  k: number;
  /**
   * Distance between any two class centres, in units of the per-dimension noise std (1). Centres
   * are orthogonal, so for two classes the Bayes accuracy is Phi(margin / 2); 0 gives pure noise.
   */
  margin: number;
  /** Number of groups (slides); rows are spread over them uniformly. Default max(2, round(n / 50)). */
  groups?: number;
  /** Std of a per-group offset added to every row of the group (a slide's batch effect). Default 0. */
  groupShift?: number;
  /** Relative class frequencies (default uniform). */
  classFrequencies?: readonly number[];
  /** Augmented views per row (stored as dataset.views): the row plus N(0, viewNoise^2). Default 0. */
  views?: number;
  viewNoise?: number;
  seed: number;
}

/** Phi(z), for the known separability of the generated data. */
export function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erf, good to ~1e-7.
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Bayes accuracy of the generated two-class problem with this margin (no group shift). */
export function bayesAccuracyBinary(margin: number): number {
  return normalCdf(margin / 2);
}

/**
 * Gaussian clusters with a known margin: class c is centred at (margin / sqrt 2) * u_c with u_c
 * orthonormal, every row adds N(0, I). Seeded: same options, same bytes.
 */
export function makeSyntheticDataset(options: SyntheticOptions): Dataset {
  const { n, dim, k, margin, seed } = options;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) throw new HistoError('VALIDATION', `synthetic data: bad shape ${n} x ${dim}`);
  if (!Number.isInteger(k) || k < 2) throw new HistoError('VALIDATION', `synthetic data: need k >= 2 classes, got ${k}`);
  if (k > dim) throw new HistoError('VALIDATION', `synthetic data: ${k} orthogonal class centres need dim >= k, got dim ${dim}`);
  const groupCount = options.groups ?? Math.max(2, Math.round(n / 50));
  const rng = createRng(seed);
  const centreRng = rng.fork(1);
  const rowRng = rng.fork(2);
  const viewRng = rng.fork(3);

  // Orthonormal directions by Gram-Schmidt on Gaussian vectors.
  const centres = new Float64Array(k * dim);
  for (let c = 0; c < k; c++) {
    const v = centres.subarray(c * dim, c * dim + dim);
    for (let j = 0; j < dim; j++) v[j] = centreRng.normal();
    for (let p = 0; p < c; p++) {
      const u = centres.subarray(p * dim, p * dim + dim);
      let d = 0;
      for (let j = 0; j < dim; j++) d += v[j]! * u[j]!;
      for (let j = 0; j < dim; j++) v[j]! -= d * u[j]!;
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += v[j]! * v[j]!;
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) v[j]! /= norm;
  }
  const radius = margin / Math.SQRT2;

  const groupShift = options.groupShift ?? 0;
  const offsets = new Float64Array(groupShift > 0 ? groupCount * dim : 0);
  for (let p = 0; p < offsets.length; p++) offsets[p] = groupShift * centreRng.normal();

  const freq = options.classFrequencies ?? new Array<number>(k).fill(1);
  if (freq.length !== k) throw new HistoError('VALIDATION', `synthetic data: ${freq.length} class frequencies for ${k} classes`);
  const cumulative = new Float64Array(k);
  let total = 0;
  for (let c = 0; c < k; c++) {
    total += Math.max(0, freq[c]!);
    cumulative[c] = total;
  }

  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  const groups = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // The first k rows cover every class so tiny sets stay usable.
    let c = 0;
    if (i < k) c = i;
    else {
      const u = rowRng.next() * total;
      while (c < k - 1 && u >= cumulative[c]!) c++;
    }
    const g = i < groupCount ? i : rowRng.int(groupCount);
    y[i] = c;
    groups[i] = g;
    const off = i * dim;
    const centre = c * dim;
    for (let j = 0; j < dim; j++) {
      let v = radius * centres[centre + j]! + rowRng.normal();
      if (groupShift > 0) v += offsets[g * dim + j]!;
      x[off + j] = v;
    }
  }
  const data: Dataset = { x, n, dim, y, classes: Array.from({ length: k }, (_, c) => `class${c}`), groups };
  const views = options.views ?? 0;
  if (views > 0) {
    const viewNoise = options.viewNoise ?? 0.3;
    const vx = new Float32Array(n * views * dim);
    const row = new Int32Array(n * views);
    for (let i = 0; i < n; i++) {
      for (let v = 0; v < views; v++) {
        const idx = i * views + v;
        row[idx] = i;
        for (let j = 0; j < dim; j++) vx[idx * dim + j] = x[i * dim + j]! + viewNoise * viewRng.normal();
      }
    }
    data.views = { x: vx, n: n * views, row };
  }
  return data;
}
