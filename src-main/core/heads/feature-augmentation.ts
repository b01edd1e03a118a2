import { HistoError } from '../errors';
import type { Dataset } from './dataset';
import type { Rng } from './random';

export const AUGMENTATION_METHODS = ['views', 'noise', 'mixup', 'smote'] as const;
export type AugmentationMethod = (typeof AUGMENTATION_METHODS)[number];

export interface AugmentationSpec {
  methods: AugmentationMethod[];
  /**
   * Synthetic rows per training row. For views, 'all' (the default) adds every stored view of each
   * row once; a number draws that many views at random (with replacement). Noise and mixup use a
   * number as given and 1 for 'all'.
   */
  copies?: number | 'all';
  /** Loss weight of each synthetic row relative to an original row (default 1). */
  syntheticWeight?: number;
  /** Noise std as a fraction of each dimension's std over the training rows. Default 0.1. */
  noiseScale?: number;
  /** Beta(alpha, alpha) for the mixup weight. Default 0.4. */
  mixupAlpha?: number;
  /** Neighbours SMOTE interpolates towards. Default 5. */
  smoteNeighbours?: number;
}

/** 'views+noise' or a spec; null/undefined/'' or 'none' means no augmentation. */
export type AugmentationInput = string | AugmentationSpec | null | undefined;

export function parseAugmentation(input: AugmentationInput): AugmentationSpec | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') {
    for (const m of input.methods) {
      if (!AUGMENTATION_METHODS.includes(m)) throw new HistoError('VALIDATION', `augmentation: unknown method '${m}' (known: ${AUGMENTATION_METHODS.join(', ')})`);
    }
    return input.methods.length ? input : null;
  }
  const text = input.trim();
  if (text === '' || text === 'none') return null;
  const methods: AugmentationMethod[] = [];
  for (const part of text.split('+')) {
    const m = part.trim();
    if (!(AUGMENTATION_METHODS as readonly string[]).includes(m)) throw new HistoError('VALIDATION', `augmentation: unknown method '${m}' in '${input}' (known: ${AUGMENTATION_METHODS.join(', ')}, joined with '+')`);
    if (!methods.includes(m as AugmentationMethod)) methods.push(m as AugmentationMethod);
  }
  return { methods };
}

export function describeAugmentation(spec: AugmentationSpec | null): string {
  return spec ? spec.methods.join('+') : 'none';
}

/** `copies` from a CLI flag or request: 'all' or a whole number >= 1 (anything else is refused). */
export function parseCopies(value: unknown): number | 'all' {
  if (value === undefined || value === null || value === 'all') return 'all';
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new HistoError('VALIDATION', `augmentation: copies must be 'all' or a whole number >= 1, got '${String(value)}'`);
  return n;
}

/** The synthetic-row weight: a finite number > 0 (default 1). */
export function parseSyntheticWeight(value: unknown): number {
  if (value === undefined || value === null) return 1;
  const w = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!(w > 0) || !Number.isFinite(w)) throw new HistoError('VALIDATION', `augmentation: synthetic weight must be a number > 0, got '${String(value)}'`);
  return w;
}

export interface AugmentedRows {
  /** The original training rows first, then the synthetic ones. */
  x: Float32Array;
  y: Int32Array;
  n: number;
  /** Synthetic rows added by each method. */
  added: Partial<Record<AugmentationMethod, number>>;
  /** Per-row loss weights when synthetic rows weigh other than 1, else null. */
  weights: Float64Array | null;
}

/**
 * The training rows of `data` plus synthetic rows from each method, every method drawing from the
 * original rows (methods do not compound). Only training rows are used: std (noise), class
 * partners (mixup) and neighbours (SMOTE) never look at held-out rows.
 */
export function augmentTrainingRows(data: Dataset, rows: Int32Array, spec: AugmentationSpec | null, rng: Rng): AugmentedRows {
  const { dim } = data;
  const base = rows.length;
  const chunks: Array<{ x: Float32Array; y: Int32Array }> = [];
  const added: Partial<Record<AugmentationMethod, number>> = {};
  const copies = parseCopies(spec?.copies);
  const perRow = copies === 'all' ? 1 : copies;
  const syntheticWeight = parseSyntheticWeight(spec?.syntheticWeight);
  const k = data.classes.length;
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < base; i++) byClass[data.y[rows[i]!]!]!.push(rows[i]!);

  for (const method of spec?.methods ?? []) {
    let chunk: { x: Float32Array; y: Int32Array };
    if (method === 'views') chunk = sampleViews(data, rows, copies, rng);
    else if (method === 'noise') chunk = gaussianNoise(data, rows, perRow, spec?.noiseScale ?? 0.1, rng);
    else if (method === 'mixup') chunk = mixupWithinClass(data, rows, byClass, perRow, spec?.mixupAlpha ?? 0.4, rng);
    else chunk = smote(data, byClass, spec?.smoteNeighbours ?? 5, rng);
    added[method] = chunk.y.length;
    chunks.push(chunk);
  }
  let total = base;
  for (const c of chunks) total += c.y.length;
  const x = new Float32Array(total * dim);
  const y = new Int32Array(total);
  for (let i = 0; i < base; i++) {
    const r = rows[i]!;
    x.set(data.x.subarray(r * dim, r * dim + dim), i * dim);
    y[i] = data.y[r]!;
  }
  let at = base;
  for (const c of chunks) {
    x.set(c.x, at * dim);
    y.set(c.y, at);
    at += c.y.length;
  }
  let weights: Float64Array | null = null;
  if (syntheticWeight !== 1 && total > base) {
    weights = new Float64Array(total).fill(syntheticWeight);
    weights.fill(1, 0, base);
  }
  return { x, y, n: total, added, weights };
}

/** (a) For each training row with stored views: all of them once, or `copies` drawn at random (with replacement). */
function sampleViews(data: Dataset, rows: Int32Array, copies: number | 'all', rng: Rng): { x: Float32Array; y: Int32Array } {
  const { dim } = data;
  const views = data.views;
  if (!views || views.n === 0) throw new HistoError('VALIDATION', "augmentation 'views': the dataset holds no augmented views (extract them with the backbone first)");
  const viewsOf = new Map<number, number[]>();
  for (let v = 0; v < views.n; v++) {
    const r = views.row[v]!;
    let list = viewsOf.get(r);
    if (!list) viewsOf.set(r, (list = []));
    list.push(v);
  }
  const picked: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const list = viewsOf.get(rows[i]!);
    if (!list) continue;
    const count = copies === 'all' ? list.length : copies;
    for (let c = 0; c < count; c++) {
      picked.push(copies === 'all' ? list[c]! : list[rng.int(list.length)]!);
      labels.push(data.y[rows[i]!]!);
    }
  }
  const x = new Float32Array(picked.length * dim);
  for (let i = 0; i < picked.length; i++) x.set(views.x.subarray(picked[i]! * dim, picked[i]! * dim + dim), i * dim);
  return { x, y: Int32Array.from(labels) };
}

/** (b) Each row plus N(0, (scale * std_j)^2) per dimension, std over the training rows. */
function gaussianNoise(data: Dataset, rows: Int32Array, copies: number, scale: number, rng: Rng): { x: Float32Array; y: Int32Array } {
  if (!(scale > 0)) throw new HistoError('VALIDATION', `augmentation 'noise': noiseScale must be > 0, got ${scale}`);
  const { dim } = data;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i]! * dim;
    for (let j = 0; j < dim; j++) mean[j]! += data.x[o + j]!;
  }
  for (let j = 0; j < dim; j++) mean[j] = mean[j]! / rows.length;
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i]! * dim;
    for (let j = 0; j < dim; j++) {
      const d = data.x[o + j]! - mean[j]!;
      sq[j]! += d * d;
    }
  }
  const sigma = new Float64Array(dim);
  for (let j = 0; j < dim; j++) sigma[j] = scale * Math.sqrt(sq[j]! / rows.length);
  const m = rows.length * copies;
  const x = new Float32Array(m * dim);
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const r = rows[i % rows.length]!;
    const o = r * dim;
    for (let j = 0; j < dim; j++) x[i * dim + j] = data.x[o + j]! + sigma[j]! * rng.normal();
    y[i] = data.y[r]!;
  }
  return { x, y };
}

/** (c) lambda * a + (1 - lambda) * b for a random partner b of the same class, lambda ~ Beta(alpha, alpha). */
function mixupWithinClass(data: Dataset, rows: Int32Array, byClass: number[][], copies: number, alpha: number, rng: Rng): { x: Float32Array; y: Int32Array } {
  if (!(alpha > 0)) throw new HistoError('VALIDATION', `augmentation 'mixup': mixupAlpha must be > 0, got ${alpha}`);
  const { dim } = data;
  const m = rows.length * copies;
  const x = new Float32Array(m * dim);
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const a = rows[i % rows.length]!;
    const c = data.y[a]!;
    const mates = byClass[c]!;
    const b = mates[rng.int(mates.length)]!;
    const g1 = rng.gamma(alpha);
    const g2 = rng.gamma(alpha);
    const lambda = g1 + g2 > 0 ? g1 / (g1 + g2) : 0.5;
    const oa = a * dim;
    const ob = b * dim;
    for (let j = 0; j < dim; j++) x[i * dim + j] = lambda * data.x[oa + j]! + (1 - lambda) * data.x[ob + j]!;
    y[i] = c;
  }
  return { x, y };
}

/** (d) SMOTE: minority classes are topped up to the largest class by interpolating towards one of their k nearest same-class neighbours. */
function smote(data: Dataset, byClass: number[][], neighbours: number, rng: Rng): { x: Float32Array; y: Int32Array } {
  if (!Number.isInteger(neighbours) || neighbours < 1) throw new HistoError('VALIDATION', `augmentation 'smote': smoteNeighbours must be a positive integer, got ${neighbours}`);
  const { dim } = data;
  let largest = 0;
  for (const list of byClass) largest = Math.max(largest, list.length);
  const outX: Float32Array[] = [];
  const outY: number[] = [];
  for (let c = 0; c < byClass.length; c++) {
    const members = byClass[c]!;
    const need = largest - members.length;
    if (need <= 0 || members.length < 2) continue;
    const kk = Math.min(neighbours, members.length - 1);
    // Nearest neighbours (squared Euclidean) within the class, computed once per member.
    const nn = new Int32Array(members.length * kk);
    const dist = new Float64Array(members.length);
    for (let a = 0; a < members.length; a++) {
      const oa = members[a]! * dim;
      for (let b = 0; b < members.length; b++) {
        if (a === b) {
          dist[b] = Infinity;
          continue;
        }
        const ob = members[b]! * dim;
        let s = 0;
        for (let j = 0; j < dim; j++) {
          const d = data.x[oa + j]! - data.x[ob + j]!;
          s += d * d;
        }
        dist[b] = s;
      }
      const order = Array.from({ length: members.length }, (_, i) => i).sort((p, q) => dist[p]! - dist[q]! || p - q);
      for (let t = 0; t < kk; t++) nn[a * kk + t] = order[t]!;
    }
    const x = new Float32Array(need * dim);
    for (let s = 0; s < need; s++) {
      const a = rng.int(members.length);
      const b = nn[a * kk + rng.int(kk)]!;
      const lambda = rng.next();
      const oa = members[a]! * dim;
      const ob = members[b]! * dim;
      for (let j = 0; j < dim; j++) x[s * dim + j] = data.x[oa + j]! + lambda * (data.x[ob + j]! - data.x[oa + j]!);
      outY.push(c);
    }
    outX.push(x);
  }
  const x = new Float32Array(outY.length * dim);
  let at = 0;
  for (const chunk of outX) {
    x.set(chunk, at);
    at += chunk.length;
  }
  return { x, y: Int32Array.from(outY) };
}
