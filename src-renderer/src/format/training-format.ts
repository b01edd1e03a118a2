/** Human text for training figures and the pure parts of the training form. */

export const augmentMethods = ['views', 'noise', 'mixup', 'smote'] as const;
export type AugmentMethod = (typeof augmentMethods)[number];

export const augmentLabels: Record<AugmentMethod, string> = {
  views: 'Stored views (D4 / stain)',
  noise: 'Gaussian noise',
  mixup: 'Mixup',
  smote: 'SMOTE',
};

/** The metrics a run reports, in the order the UI shows them. */
export const metricKeys = ['f1', 'f1Macro', 'precision', 'recall', 'balancedAccuracy', 'rocAuc', 'prAuc'] as const;
export type MetricKey = (typeof metricKeys)[number] | 'accuracy';

export const metricLabels: Record<MetricKey, string> = {
  f1: 'F1',
  f1Macro: 'F1 macro',
  precision: 'Precision',
  recall: 'Recall',
  balancedAccuracy: 'Balanced accuracy',
  rocAuc: 'ROC-AUC',
  prAuc: 'PR-AUC',
  accuracy: 'Accuracy',
};

export const headKindLabels: Record<string, string> = {
  logreg: 'Logistic regression',
  mlp: 'MLP',
  knn: 'k-nearest neighbours',
};

/** "views+noise" from ticked methods in the canonical order; "none" when nothing is ticked. */
export function augmentSpec(ticked: readonly string[]): string {
  const chosen = augmentMethods.filter((m) => ticked.includes(m));
  return chosen.length ? chosen.join('+') : 'none';
}

/** A score in [0, 1] with three decimals; an en dash when the core could not compute it. */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(3);
}

export function formatScoreStd(mean: number | null | undefined, std: number | null | undefined): string {
  const text = formatScore(mean);
  return text === '–' || std === null || std === undefined || !Number.isFinite(std) ? text : `${text} ± ${std.toFixed(3)}`;
}

/**
 * The with/without verdict: "+0.042" / "−0.010" when the paired 95% CI excludes 0, else "no
 * measurable gain" (never "±0.000"). Without a paired difference (heads from older versions), a
 * plain signed difference, or "no measurable gain" when it rounds to zero.
 */
export function formatGain(without: number | null | undefined, withAugmentation: number | null | undefined, difference?: { mean: number | null; verdict: string } | null): string {
  if (difference) {
    if (difference.verdict === 'no measurable gain' || difference.mean === null) return 'no measurable gain';
    const text = Math.abs(difference.mean).toFixed(difference.mean !== 0 && Math.abs(difference.mean) < 0.0005 ? 4 : 3);
    return `${difference.mean > 0 ? '+' : '−'}${text}`;
  }
  if (without === null || without === undefined || withAugmentation === null || withAugmentation === undefined) return '–';
  const gain = withAugmentation - without;
  const text = Math.abs(gain).toFixed(3);
  if (text === '0.000') return 'no measurable gain';
  return `${gain > 0 ? '+' : '−'}${text}`;
}

/** "95% CI +0.004 to +0.020" for a paired difference, or '' when there is none. */
export function formatDifferenceCi(difference: { ciLow: number | null; ciHigh: number | null; pairs: number } | null | undefined): string {
  if (!difference) return '';
  if (difference.ciLow === null || difference.ciHigh === null) return `${difference.pairs} pair${difference.pairs === 1 ? '' : 's'}, no CI`;
  const signed = (v: number) => `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(v !== 0 && Math.abs(v) < 0.0005 ? 4 : 3)}`;
  return `95% CI ${signed(difference.ciLow)} to ${signed(difference.ciHigh)} over ${difference.pairs}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  return seconds < 10 ? `${seconds.toFixed(2)} s` : seconds < 120 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
}

/**
 * "2, 5, 10, all" -> [2, 5, 10, 'all'], in increasing order without repeats; a sentence saying
 * what is wrong otherwise.
 */
export function parseLabelsPerClass(text: string): Array<number | 'all'> | string {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) return 'Give label counts per class, e.g. 2, 5, 10, all.';
  const counts: number[] = [];
  let all = false;
  for (const part of parts) {
    if (part === 'all') {
      all = true;
      continue;
    }
    const value = Number(part);
    if (!Number.isInteger(value) || value < 1 || value > 100_000) return `'${part}' is not a whole number of labels per class (1 to 100000) or 'all'.`;
    if (!counts.includes(value)) counts.push(value);
  }
  const points: Array<number | 'all'> = counts.sort((a, b) => a - b);
  if (all) points.push('all');
  if (points.length > 20) return 'At most 20 points on one curve.';
  return points;
}

/** "Head 4 · logreg · lin" for tables, legends and column headers. */
export function runTitle(run: { id: number; kind: string; backbone: string }): string {
  return `#${run.id} ${run.kind} · ${run.backbone}`;
}
