import { gatherLabels } from './dataset';
import type { Dataset } from './dataset';
import { foldRows, groupedStratifiedFolds } from './cross-validation';
import type { Preprocessing } from './preprocessing';

export type AutoKind = 'logreg' | 'mlp' | 'knn';

/** The regulariser `auto` tunes per head kind, and its candidates (l2 = 1 / scikit-learn's C). */
export const AUTO_REGULARISATION: Record<AutoKind, { key: 'l2' | 'weightDecay' | 'k'; values: readonly number[] }> = {
  logreg: { key: 'l2', values: [0.1, 1, 10] },
  mlp: { key: 'weightDecay', values: [1e-4, 1e-2] },
  knn: { key: 'k', values: [5, 15, 31] },
};

/**
 * What `auto` uses when the labels are too few for nested CV: raw embeddings and the kind's own
 * default regulariser. Chosen from `npm run bench:fewlabel` (see README, "Few labels"): on real
 * MobileNetV2 embeddings of the fixture slide and on the generated failure-mode problem, 'none'
 * was never more than a point behind the best preprocessing at 2-5 labels per class, while
 * 'standardize' (statistics from those few rows) lost the most.
 */
export const AUTO_FALLBACK: Preprocessing = 'none';

/** Nested CV only when every class has at least this many training rows (3 inner folds of >= 2 rows each) and there are >= 2 groups. */
export const AUTO_MIN_ROWS_PER_CLASS = 6;
export const AUTO_INNER_FOLDS = 3;

export interface AutoChoice {
  preprocess: Preprocessing;
  /** The regulariser chosen ({} when the fallback kept the default). */
  params: Record<string, number>;
  how: 'nested-cv' | 'fallback';
  /** Mean inner-fold F1 macro of the choice (nested CV only). */
  score?: number;
  /** One line for summaries and the audit log. */
  reason: string;
}

/** Trains with one candidate on `train` rows and returns the F1 macro on `test` rows. */
export type CandidateScorer = (preprocess: Preprocessing, params: Record<string, number>, train: Int32Array, test: Int32Array, seed: number) => number;

/**
 * Picks the preprocessing and the regulariser for a head by grouped, stratified inner CV on the
 * labelled training rows only (without synthetic rows); falls back to AUTO_FALLBACK when a class has too few rows or there are too
 * few groups. Ties go to the earlier candidate, and the fallback comes first.
 */
export function chooseAuto(kind: AutoKind, data: Dataset, rows: Int32Array, fixed: Record<string, unknown>, seed: number, score: CandidateScorer): AutoChoice {
  const k = data.classes.length;
  const counts = new Int32Array(k);
  for (let i = 0; i < rows.length; i++) counts[data.y[rows[i]!]!]!++;
  const present = Array.from(counts).filter((c) => c > 0);
  const fewest = Math.min(...present);
  const groups = new Set(gatherLabels(data.groups, rows)).size;
  if (fewest < AUTO_MIN_ROWS_PER_CLASS || groups < 2) {
    const why = fewest < AUTO_MIN_ROWS_PER_CLASS ? `a class has ${fewest} training rows (< ${AUTO_MIN_ROWS_PER_CLASS})` : `only ${groups} groups`;
    return { preprocess: AUTO_FALLBACK, params: {}, how: 'fallback', reason: `auto: ${why}, too few for nested CV; fixed fallback ${AUTO_FALLBACK}` };
  }
  const preprocessings: Preprocessing[] = [AUTO_FALLBACK, ...(['l2', 'standardize', 'standardize-project'] as const).filter((p) => p !== AUTO_FALLBACK)];
  const candidatesPre = preprocessings.filter((p) => p !== 'standardize-project' || data.projectStats !== undefined);
  const reg = AUTO_REGULARISATION[kind];
  const regValues = fixed[reg.key] !== undefined ? [null] : reg.values.filter((v) => reg.key !== 'k' || v <= rows.length);
  const y = gatherLabels(data.y, rows);
  const inner = groupedStratifiedFolds(y, gatherLabels(data.groups, rows), k, AUTO_INNER_FOLDS, seed ^ 0x5eed);
  const splits = Array.from({ length: inner.folds }, (_, f) => {
    const local = foldRows(inner.fold, f);
    return { train: local.train.map((i) => rows[i]!), test: local.test.map((i) => rows[i]!) };
  });
  let best: AutoChoice | null = null;
  const tryCandidate = (preprocess: Preprocessing, value: number | null): void => {
    const params: Record<string, number> = value === null ? {} : { [reg.key]: value };
    let sum = 0;
    splits.forEach((s, f) => (sum += score(preprocess, params, s.train, s.test, seed + f)));
    const mean = sum / splits.length;
    if (!best || mean > best.score! + 1e-12) best = { preprocess, params, how: 'nested-cv', score: mean, reason: '' };
  };
  if (kind === 'mlp') {
    // An MLP fit costs ~100 logistic regressions: search the preprocessing at the default weight
    // decay, then the weight decay for the best preprocessing (coordinate search, not the full grid).
    for (const preprocess of candidatesPre) tryCandidate(preprocess, null);
    const stage1 = (best as AutoChoice | null)!.preprocess;
    for (const value of regValues) if (value !== null) tryCandidate(stage1, value);
  } else {
    for (const preprocess of candidatesPre) for (const value of regValues) tryCandidate(preprocess, value);
  }
  const chosen = best!;
  const regText = Object.entries(chosen.params).map(([key, v]) => `${key}=${v}`).join(', ');
  chosen.reason = `auto: ${inner.folds}-fold nested CV chose ${chosen.preprocess}${regText ? `, ${regText}` : ''} (inner F1 macro ${chosen.score!.toFixed(3)})`;
  return chosen;
}
