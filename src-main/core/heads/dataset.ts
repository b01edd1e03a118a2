import { HistoError } from '../errors';
import type { Standardizer } from './standardize';

/** Augmented views of dataset rows, embedded by the same backbone (view 1..V of a tile). */
export interface DatasetViews {
  /** views.n * dim, row-major. */
  x: Float32Array;
  n: number;
  /** For each augmented vector, the dataset row (view 0) it belongs to. */
  row: Int32Array;
}

/** Labelled embeddings of one task, as the lead loads them from the project database. */
export interface Dataset {
  /** n * dim, row-major, view 0 (the original tile). */
  x: Float32Array;
  n: number;
  dim: number;
  /** Class index per row, in [0, classes.length). */
  y: Int32Array;
  classes: string[];
  /** Slide (or patient) id per row: rows sharing a group never sit on both sides of a split. */
  groups: Int32Array;
  views?: DatasetViews;
  /** Label-free statistics of every stored view-0 embedding of the backbone (standardize-project). */
  projectStats?: Standardizer;
}

export function validateDataset(data: Dataset): void {
  const { n, dim } = data;
  if (!Number.isInteger(n) || n < 1) throw new HistoError('VALIDATION', `dataset: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new HistoError('VALIDATION', `dataset: dim must be a positive integer, got ${dim}`);
  if (data.x.length !== n * dim) throw new HistoError('BAD_INPUT', `dataset: x holds ${data.x.length} values, expected n*dim = ${n * dim}`);
  if (data.y.length !== n) throw new HistoError('BAD_INPUT', `dataset: y holds ${data.y.length} labels for ${n} rows`);
  if (data.groups.length !== n) throw new HistoError('BAD_INPUT', `dataset: groups holds ${data.groups.length} ids for ${n} rows`);
  if (data.classes.length < 2) throw new HistoError('VALIDATION', `dataset: need at least 2 classes, got ${data.classes.length}`);
  validateLabels(data.y, data.classes.length, 'dataset');
  for (let i = 0; i < data.x.length; i++) {
    if (!Number.isFinite(data.x[i]!)) throw new HistoError('BAD_INPUT', `dataset: x[${i}] (row ${Math.floor(i / dim)}) is not finite`);
  }
  const views = data.views;
  if (views) {
    if (views.x.length !== views.n * dim) throw new HistoError('BAD_INPUT', `dataset.views: x holds ${views.x.length} values, expected views.n*dim = ${views.n * dim}`);
    if (views.row.length !== views.n) throw new HistoError('BAD_INPUT', `dataset.views: row holds ${views.row.length} entries for ${views.n} views`);
    for (let i = 0; i < views.n; i++) {
      const r = views.row[i]!;
      if (r < 0 || r >= n) throw new HistoError('BAD_INPUT', `dataset.views: view ${i} points at row ${r}, outside 0..${n - 1}`);
    }
  }
}

export function validateLabels(y: Int32Array, k: number, what: string): void {
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (c < 0 || c >= k) throw new HistoError('BAD_INPUT', `${what}: label ${c} at row ${i} is outside 0..${k - 1}`);
  }
}

export function validateMatrix(x: Float32Array, n: number, dim: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim < 1) throw new HistoError('VALIDATION', `${what}: bad shape ${n} x ${dim}`);
  if (x.length < n * dim) throw new HistoError('BAD_INPUT', `${what}: x holds ${x.length} values, expected n*dim = ${n * dim}`);
}

/** Copies the given rows of an n * dim matrix into a new contiguous matrix. */
export function gatherRows(x: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(x.subarray(r * dim, r * dim + dim), i * dim);
  }
  return out;
}

export function gatherLabels(y: Int32Array, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = y[rows[i]!]!;
  return out;
}

export function classCounts(y: Int32Array, k: number): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  return counts;
}

/** The dataset restricted to `rows` (views follow their rows). */
export function subsetDataset(data: Dataset, rows: Int32Array): Dataset {
  const sub: Dataset = {
    x: gatherRows(data.x, data.dim, rows),
    n: rows.length,
    dim: data.dim,
    y: gatherLabels(data.y, rows),
    classes: data.classes,
    groups: gatherLabels(data.groups, rows),
  };
  if (data.projectStats) sub.projectStats = data.projectStats;
  if (data.views && data.views.n > 0) {
    const newIndex = new Int32Array(data.n).fill(-1);
    for (let i = 0; i < rows.length; i++) newIndex[rows[i]!] = i;
    const keep: number[] = [];
    for (let v = 0; v < data.views.n; v++) if (newIndex[data.views.row[v]!]! >= 0) keep.push(v);
    const row = new Int32Array(keep.length);
    for (let i = 0; i < keep.length; i++) row[i] = newIndex[data.views.row[keep[i]!]!]!;
    sub.views = { x: gatherRows(data.views.x, data.dim, keep), n: keep.length, row };
  }
  return sub;
}
