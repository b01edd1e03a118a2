import { HistoError } from '../errors';
import { gatherLabels, gatherRows, validateDataset, type Dataset } from './dataset';
import { foldRows, groupedStratifiedFolds } from './cross-validation';
import { parseAugmentation, describeAugmentation, type AugmentationInput } from './feature-augmentation';
import { predictHeadProba, trainHead, type HeadKind, type HeadParamsByKind } from './head';
import { bestF1Threshold, computeMetrics, METRIC_KEYS, prCurve, rocCurve, type ConfusionMatrix, type HeadMetrics, type MetricKey, type PrCurve, type RocCurve, type ThresholdChoice } from './metrics';
import { createRng, permutation } from './random';
import { pairedDifference, type PairedDifference } from '../../../src-shared/domain/paired-difference';

export type ParamValue = number | string | boolean | null | number[];

export interface SearchSpec {
  /** Candidate values per parameter; the grid is their product. */
  space: Record<string, readonly ParamValue[]>;
  /** 'grid' tries every combination; 'random' tries `trials` of them (seeded, without repeats). Default 'grid'. */
  mode?: 'grid' | 'random';
  trials?: number;
  /** Metric the inner split maximises. Default 'f1Macro'. */
  metric?: MetricKey;
  /** Grouped folds inside each training fold. Default 3. */
  innerFolds?: number;
}

export interface CrossValidateOptions<K extends HeadKind = HeadKind> {
  dataset: Dataset;
  kind: K;
  params: HeadParamsByKind[K];
  folds: number;
  seed: number;
  /** Class (name or index) reported as f1/precision/recall and plotted by the curves. Default class 1 for binary. */
  positive?: string | number;
  augment?: AugmentationInput;
  search?: SearchSpec;
}

export interface FoldResult {
  fold: number;
  trainRows: number;
  testRows: number;
  metrics: HeadMetrics;
  /** Parameters used (the search's choice when searching). */
  params: Record<string, unknown>;
  /** Inner-split score of the chosen parameters (when searching). */
  searchScore?: number;
  /** F1 macro of the same fold trained without augmentation (when augmenting). */
  f1MacroWithout?: number;
  /** The preprocessing the fold's head used (what 'auto' chose, when asked for). */
  preprocess: string;
}

export interface CrossValidationResult {
  kind: HeadKind;
  classes: string[];
  folds: FoldResult[];
  metrics: HeadMetrics;
  /** Population std over folds. */
  metricsStd: HeadMetrics;
  /** Summed over folds. */
  confusion: ConfusionMatrix;
  /** Pooled out-of-fold scores of the positive class (micro-averaged one-vs-rest when there are more classes and none is chosen). */
  curveClass: string;
  rocCurve: RocCurve;
  prCurve: PrCurve;
  /** F1-optimal threshold on the pooled out-of-fold scores (binary or a chosen class). */
  bestThreshold?: ThresholdChoice;
  /** n * k out-of-fold probabilities, dataset row order. */
  outOfFold: Float32Array;
  /** With/without over the same folds; `difference` is the paired (with - without) mean and 95% CI. */
  augmentation?: { method: string; f1MacroWithout: number; f1MacroWith: number; difference: PairedDifference };
  /** Search metric and the parameters chosen in each fold. */
  search?: { metric: MetricKey; chosen: Array<Record<string, unknown>> };
  messages: string[];
}

export function resolvePositive(classes: string[], positive: string | number | undefined): number | undefined {
  if (positive === undefined) return classes.length === 2 ? 1 : undefined;
  const index = typeof positive === 'number' ? positive : classes.indexOf(positive);
  if (!Number.isInteger(index) || index < 0 || index >= classes.length) {
    throw new HistoError('VALIDATION', `positive class '${positive}' is not one of: ${classes.join(', ')}`);
  }
  return index;
}

/** Parameter combinations of a search space: all of them (grid) or `trials` distinct ones (random). */
export function searchCandidates(spec: SearchSpec, seed: number): Array<Record<string, ParamValue>> {
  const keys = Object.keys(spec.space);
  let combos: Array<Record<string, ParamValue>> = [{}];
  for (const key of keys) {
    const values = spec.space[key]!;
    if (values.length === 0) throw new HistoError('VALIDATION', `search: parameter '${key}' has no candidate values`);
    const next: Array<Record<string, ParamValue>> = [];
    for (const combo of combos) for (const v of values) next.push({ ...combo, [key]: v });
    combos = next;
  }
  if ((spec.mode ?? 'grid') === 'random') {
    const trials = spec.trials ?? 10;
    if (!Number.isInteger(trials) || trials < 1) throw new HistoError('VALIDATION', `search: trials must be a positive integer, got ${trials}`);
    const order = permutation(combos.length, createRng(seed));
    combos = Array.from(order.subarray(0, Math.min(trials, combos.length)), (i) => combos[i]!);
  }
  return combos;
}

function rowsOf(all: Int32Array, local: Int32Array): Int32Array {
  const out = new Int32Array(local.length);
  for (let i = 0; i < local.length; i++) out[i] = all[local[i]!]!;
  return out;
}

/** Trains on `train` rows, scores `test` rows. */
function trainAndScore<K extends HeadKind>(
  data: Dataset,
  kind: K,
  params: HeadParamsByKind[K],
  train: Int32Array,
  test: Int32Array,
  seed: number,
  augment: AugmentationInput,
  positive: number | undefined,
): { proba: Float32Array; metrics: HeadMetrics & { confusion: ConfusionMatrix }; preprocess: string } {
  const head = trainHead(kind, params, data, seed, { rows: train, augment });
  const proba = predictHeadProba(head, gatherRows(data.x, data.dim, test), test.length);
  const metrics = computeMetrics({ yTrue: gatherLabels(data.y, test), proba, k: data.classes.length, positive });
  return { proba, metrics, preprocess: head.preprocess };
}

/** Picks parameters by grouped inner cross-validation on the training rows only. */
function searchParams<K extends HeadKind>(
  data: Dataset,
  kind: K,
  base: HeadParamsByKind[K],
  train: Int32Array,
  spec: SearchSpec,
  seed: number,
  augment: AugmentationInput,
  positive: number | undefined,
  messages: string[],
): { params: HeadParamsByKind[K]; score: number } {
  const metric = spec.metric ?? 'f1Macro';
  if (!METRIC_KEYS.includes(metric)) throw new HistoError('VALIDATION', `search: unknown metric '${metric}' (known: ${METRIC_KEYS.join(', ')})`);
  const candidates = searchCandidates(spec, seed);
  const k = data.classes.length;
  const trainY = gatherLabels(data.y, train);
  const trainGroups = gatherLabels(data.groups, train);
  const inner = groupedStratifiedFolds(trainY, trainGroups, k, spec.innerFolds ?? 3, seed ^ 0x1234);
  for (const m of inner.messages) if (!messages.includes(`inner split: ${m}`)) messages.push(`inner split: ${m}`);
  let best: { params: HeadParamsByKind[K]; score: number } | null = null;
  for (const candidate of candidates) {
    const params = { ...base, ...candidate } as HeadParamsByKind[K];
    let sum = 0;
    let count = 0;
    for (let f = 0; f < inner.folds; f++) {
      const split = foldRows(inner.fold, f);
      const { metrics } = trainAndScore(data, kind, params, rowsOf(train, split.train), rowsOf(train, split.test), seed + f, augment, positive);
      const v = metrics[metric];
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    const score = count ? sum / count : -Infinity;
    if (!best || score > best.score) best = { params, score };
  }
  return best!;
}

function meanStd(values: HeadMetrics[]): { mean: HeadMetrics; std: HeadMetrics } {
  const mean = {} as HeadMetrics;
  const std = {} as HeadMetrics;
  for (const key of METRIC_KEYS) {
    const defined = values.map((v) => v[key]).filter((v) => !Number.isNaN(v));
    if (defined.length === 0) {
      mean[key] = NaN;
      std[key] = NaN;
      continue;
    }
    const m = defined.reduce((a, b) => a + b, 0) / defined.length;
    mean[key] = m;
    std[key] = Math.sqrt(defined.reduce((a, b) => a + (b - m) * (b - m), 0) / defined.length);
  }
  return { mean, std };
}

function pickMetrics(m: HeadMetrics): HeadMetrics {
  const out = {} as HeadMetrics;
  for (const key of METRIC_KEYS) out[key] = m[key];
  return out;
}

/**
 * Grouped, stratified k-fold cross-validation of one head configuration. With `search`, the
 * parameters are chosen inside each training fold (nested); with `augment`, every fold is also
 * trained without augmentation on the same split so the gain is measured like for like.
 */
export function crossValidate<K extends HeadKind>(options: CrossValidateOptions<K>): CrossValidationResult {
  const { dataset: data, kind, seed } = options;
  validateDataset(data);
  const k = data.classes.length;
  const positive = resolvePositive(data.classes, options.positive);
  const augmentSpec = parseAugmentation(options.augment);
  const split = groupedStratifiedFolds(data.y, data.groups, k, options.folds, seed);
  const messages = [...split.messages];
  const outOfFold = new Float32Array(data.n * k);
  const folds: FoldResult[] = [];
  const confusion: ConfusionMatrix = { k, counts: new Int32Array(k * k) };
  const chosen: Array<Record<string, unknown>> = [];
  for (let f = 0; f < split.folds; f++) {
    const { train, test } = foldRows(split.fold, f);
    const foldSeed = (seed * 31 + f * 7919 + 1) >>> 0;
    let params = options.params;
    let searchScore: number | undefined;
    if (options.search) {
      const found = searchParams(data, kind, options.params, train, options.search, foldSeed, augmentSpec, positive, messages);
      params = found.params;
      searchScore = found.score;
      chosen.push(JSON.parse(JSON.stringify(params)) as Record<string, unknown>);
    }
    const { proba, metrics, preprocess } = trainAndScore(data, kind, params, train, test, foldSeed, augmentSpec, positive);
    for (let i = 0; i < test.length; i++) outOfFold.set(proba.subarray(i * k, i * k + k), test[i]! * k);
    for (let t = 0; t < k * k; t++) confusion.counts[t]! += metrics.confusion.counts[t]!;
    const result: FoldResult = { fold: f, trainRows: train.length, testRows: test.length, metrics: pickMetrics(metrics), params: JSON.parse(JSON.stringify(params)) as Record<string, unknown>, preprocess };
    if (searchScore !== undefined) result.searchScore = searchScore;
    if (augmentSpec) result.f1MacroWithout = trainAndScore(data, kind, params, train, test, foldSeed, null, positive).metrics.f1Macro;
    folds.push(result);
  }
  const { mean, std } = meanStd(folds.map((r) => r.metrics));

  // Pooled out-of-fold curves for the positive class, or micro-averaged one-vs-rest.
  let scores: Float64Array;
  let targets: Uint8Array;
  let curveClass: string;
  if (positive !== undefined) {
    scores = new Float64Array(data.n);
    targets = new Uint8Array(data.n);
    for (let i = 0; i < data.n; i++) {
      scores[i] = outOfFold[i * k + positive]!;
      targets[i] = data.y[i] === positive ? 1 : 0;
    }
    curveClass = data.classes[positive]!;
  } else {
    scores = Float64Array.from(outOfFold);
    targets = new Uint8Array(data.n * k);
    for (let i = 0; i < data.n; i++) targets[i * k + data.y[i]!] = 1;
    curveClass = 'micro';
  }
  const result: CrossValidationResult = {
    kind,
    classes: [...data.classes],
    folds,
    metrics: mean,
    metricsStd: std,
    confusion,
    curveClass,
    rocCurve: rocCurve(scores, targets),
    prCurve: prCurve(scores, targets),
    outOfFold,
    messages,
  };
  if (positive !== undefined) result.bestThreshold = bestF1Threshold(scores, targets);
  if (augmentSpec) {
    const without = folds.reduce((a, r) => a + (r.f1MacroWithout ?? 0), 0) / folds.length;
    const difference = pairedDifference(
      folds.map((r) => r.metrics.f1Macro),
      folds.map((r) => r.f1MacroWithout ?? NaN),
    );
    result.augmentation = { method: describeAugmentation(augmentSpec), f1MacroWithout: without, f1MacroWith: mean.f1Macro, difference };
  }
  if (options.search) result.search = { metric: options.search.metric ?? 'f1Macro', chosen };
  return result;
}
