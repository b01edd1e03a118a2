import { HistoError } from '../errors';

/** The figures every evaluation reports; keys are part of the contract with storage and UI. */
export interface HeadMetrics {
  /** F1 of the positive class (binary, or a chosen class); F1 macro for more classes with none chosen. */
  f1: number;
  f1Macro: number;
  precision: number;
  recall: number;
  balancedAccuracy: number;
  /** Binary: AUC of the positive class; more classes: one-vs-rest macro. NaN when undefined. */
  rocAuc: number;
  /** Average precision, same averaging as rocAuc. */
  prAuc: number;
  accuracy: number;
}

export const METRIC_KEYS = ['f1', 'f1Macro', 'precision', 'recall', 'balancedAccuracy', 'rocAuc', 'prAuc', 'accuracy'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

export interface ConfusionMatrix {
  k: number;
  /** k * k, row = true class, column = predicted class. */
  counts: Int32Array;
}

export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Score thresholds, descending; the first is +Infinity (nothing predicted positive). */
  thresholds: Float64Array;
}

export interface PrCurve {
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
}

export interface ThresholdChoice {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
}

/** Index of the largest probability per row (first on ties). */
export function argmaxRows(proba: Float32Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = proba[i * k]!;
    for (let c = 1; c < k; c++) {
      const v = proba[i * k + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

export function confusionMatrix(yTrue: Int32Array, yPred: Int32Array, k: number): ConfusionMatrix {
  if (yTrue.length !== yPred.length) throw new HistoError('VALIDATION', `confusion matrix: ${yTrue.length} true labels but ${yPred.length} predictions`);
  const counts = new Int32Array(k * k);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (t < 0 || t >= k || p < 0 || p >= k) throw new HistoError('VALIDATION', `confusion matrix: label ${t} or prediction ${p} at row ${i} outside 0..${k - 1}`);
    counts[t * k + p]!++;
  }
  return { k, counts };
}

export interface ClassScores {
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  /** Rows of each class (support). */
  support: Float64Array;
}

/** Per-class precision / recall / F1 from a confusion matrix; 0 where undefined (scikit-learn's zero_division=0). */
export function perClassScores(cm: ConfusionMatrix): ClassScores {
  const { k, counts } = cm;
  const precision = new Float64Array(k);
  const recall = new Float64Array(k);
  const f1 = new Float64Array(k);
  const support = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let predicted = 0;
    let actual = 0;
    for (let o = 0; o < k; o++) {
      predicted += counts[o * k + c]!;
      actual += counts[c * k + o]!;
    }
    const tp = counts[c * k + c]!;
    support[c] = actual;
    precision[c] = predicted > 0 ? tp / predicted : 0;
    recall[c] = actual > 0 ? tp / actual : 0;
    f1[c] = predicted + actual > 0 ? (2 * tp) / (predicted + actual) : 0;
  }
  return { precision, recall, f1, support };
}

/** Sorts scores descending and yields the cumulative TP/FP at each distinct threshold. */
function cumulativeCounts(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): { tps: Float64Array; fps: Float64Array; thresholds: Float64Array } {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let idx = 0; idx < n; idx++) {
    const i = order[idx]!;
    if (positive[i]) tp++;
    else fp++;
    const next = order[idx + 1];
    if (next === undefined || scores[next]! !== scores[i]!) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[i]!);
    }
  }
  return { tps: Float64Array.from(tps), fps: Float64Array.from(fps), thresholds: Float64Array.from(thresholds) };
}

/** ROC curve points (one per distinct score, plus the origin), as scikit-learn's roc_curve(drop_intermediate=False). */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): RocCurve {
  const { tps, fps, thresholds } = cumulativeCounts(scores, positive);
  const p = tps.length ? tps[tps.length - 1]! : 0;
  const nNeg = fps.length ? fps[fps.length - 1]! : 0;
  const m = tps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const th = new Float64Array(m);
  th[0] = Infinity;
  for (let i = 0; i < tps.length; i++) {
    fpr[i + 1] = nNeg > 0 ? fps[i]! / nNeg : NaN;
    tpr[i + 1] = p > 0 ? tps[i]! / p : NaN;
    th[i + 1] = thresholds[i]!;
  }
  return { fpr, tpr, thresholds: th };
}

/** Area under the ROC curve (trapezoids, ties handled as scikit-learn does); NaN without both classes. */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const { fpr, tpr } = rocCurve(scores, positive);
  if (fpr.length < 2 || Number.isNaN(fpr[1]!) || Number.isNaN(tpr[1]!)) return NaN;
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += (fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!) * 0.5;
  return area;
}

/** Precision-recall points, from the highest threshold down (recall rising), as scikit-learn's precision_recall_curve reversed. */
export function prCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): PrCurve {
  const { tps, fps, thresholds } = cumulativeCounts(scores, positive);
  const p = tps.length ? tps[tps.length - 1]! : 0;
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const th = new Float64Array(m + 1);
  precision[0] = 1;
  recall[0] = 0;
  th[0] = Infinity;
  for (let i = 0; i < m; i++) {
    precision[i + 1] = tps[i]! / (tps[i]! + fps[i]!);
    recall[i + 1] = p > 0 ? tps[i]! / p : NaN;
    th[i + 1] = thresholds[i]!;
  }
  return { precision, recall, thresholds: th };
}

/** Average precision: sum over thresholds of (R_n - R_{n-1}) * P_n (scikit-learn's average_precision_score). */
export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const { precision, recall } = prCurve(scores, positive);
  if (recall.length < 2 || Number.isNaN(recall[1]!)) return NaN;
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i]! - recall[i - 1]!) * precision[i]!;
  return ap;
}

/** The score threshold (predict positive when score >= threshold) that maximises F1 on these scores. */
export function bestF1Threshold(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): ThresholdChoice {
  const { tps, fps, thresholds } = cumulativeCounts(scores, positive);
  const p = tps.length ? tps[tps.length - 1]! : 0;
  let best: ThresholdChoice = { threshold: Infinity, f1: 0, precision: 0, recall: 0 };
  for (let i = 0; i < tps.length; i++) {
    const tp = tps[i]!;
    const f1 = p > 0 ? (2 * tp) / (p + tp + fps[i]!) : 0;
    if (f1 > best.f1) best = { threshold: thresholds[i]!, f1, precision: tp / (tp + fps[i]!), recall: tp / p };
  }
  return best;
}

function column(proba: Float32Array, n: number, k: number, c: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = proba[i * k + c]!;
  return out;
}

function isClass(y: Int32Array, c: number): Uint8Array {
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] === c ? 1 : 0;
  return out;
}

/** Mean over the classes where the score is defined (a class absent from the labels has no AUC). */
function macroDefined(values: number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  return count ? sum / count : NaN;
}

export interface MetricsInput {
  yTrue: Int32Array;
  /** n * k class probabilities. */
  proba: Float32Array;
  k: number;
  /** Class whose F1/precision/recall are reported as f1/precision/recall; default class 1 for binary, macro for more. */
  positive?: number;
  /** Predictions; default argmax of proba. */
  yPred?: Int32Array;
}

/** Every figure of HeadMetrics from labels and probabilities. */
export function computeMetrics(input: MetricsInput): HeadMetrics & { confusion: ConfusionMatrix } {
  const { yTrue, proba, k } = input;
  const n = yTrue.length;
  if (proba.length !== n * k) throw new HistoError('VALIDATION', `metrics: ${proba.length} probabilities for ${n} rows x ${k} classes`);
  if (n === 0) throw new HistoError('VALIDATION', 'metrics: no rows to score');
  const positive = input.positive ?? (k === 2 ? 1 : undefined);
  if (positive !== undefined && (!Number.isInteger(positive) || positive < 0 || positive >= k)) {
    throw new HistoError('VALIDATION', `metrics: positive class ${positive} outside 0..${k - 1}`);
  }
  const yPred = input.yPred ?? argmaxRows(proba, n, k);
  const confusion = confusionMatrix(yTrue, yPred, k);
  const scores = perClassScores(confusion);
  let correct = 0;
  for (let c = 0; c < k; c++) correct += confusion.counts[c * k + c]!;
  let f1Macro = 0;
  let precisionMacro = 0;
  let recallMacro = 0;
  let recallPresent = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    f1Macro += scores.f1[c]!;
    precisionMacro += scores.precision[c]!;
    recallMacro += scores.recall[c]!;
    if (scores.support[c]! > 0) {
      recallPresent += scores.recall[c]!;
      present++;
    }
  }
  f1Macro /= k;
  precisionMacro /= k;
  recallMacro /= k;

  let auc: number;
  let ap: number;
  if (k === 2) {
    const p = positive ?? 1;
    const target = isClass(yTrue, p);
    const s = column(proba, n, k, p);
    auc = rocAuc(s, target);
    ap = averagePrecision(s, target);
  } else {
    const aucs: number[] = [];
    const aps: number[] = [];
    for (let c = 0; c < k; c++) {
      const target = isClass(yTrue, c);
      const s = column(proba, n, k, c);
      aucs.push(rocAuc(s, target));
      aps.push(averagePrecision(s, target));
    }
    auc = macroDefined(aucs);
    ap = macroDefined(aps);
  }
  return {
    f1: positive === undefined ? f1Macro : scores.f1[positive]!,
    f1Macro,
    precision: positive === undefined ? precisionMacro : scores.precision[positive]!,
    recall: positive === undefined ? recallMacro : scores.recall[positive]!,
    // scikit-learn's balanced_accuracy_score: mean recall over the classes present in y_true.
    balancedAccuracy: present ? recallPresent / present : 0,
    rocAuc: auc,
    prAuc: ap,
    accuracy: correct / n,
    confusion,
  };
}
