/**
 * The with/without verdict of an augmentation: mean paired difference (with minus without) over
 * the same folds or draws, and its 95% Student-t confidence interval. Pure so that the CLI, the
 * core and the renderer compute and word it the same way.
 */
export interface PairedDifference {
  /** Mean of (with - without). */
  mean: number;
  /** 95% CI bounds; null with fewer than 2 pairs (no interval can be given). */
  ciLow: number | null;
  ciHigh: number | null;
  pairs: number;
  /** 'gain' / 'loss' when the CI excludes 0, else 'no measurable gain'. */
  verdict: 'gain' | 'loss' | 'no measurable gain';
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond that 1.96. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile975(df: number): number {
  return df >= 1 && df <= T975.length ? T975[df - 1]! : 1.96;
}

export function pairedDifference(withValues: readonly number[], withoutValues: readonly number[]): PairedDifference {
  const diffs: number[] = [];
  for (let i = 0; i < Math.min(withValues.length, withoutValues.length); i++) {
    const d = withValues[i]! - withoutValues[i]!;
    if (Number.isFinite(d)) diffs.push(d);
  }
  const n = diffs.length;
  if (n === 0) return { mean: NaN, ciLow: null, ciHigh: null, pairs: 0, verdict: 'no measurable gain' };
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ciLow: null, ciHigh: null, pairs: n, verdict: 'no measurable gain' };
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1));
  const half = tQuantile975(n - 1) * (sd / Math.sqrt(n));
  const ciLow = mean - half;
  const ciHigh = mean + half;
  // A CI that touches 0 (all differences equal to 0 included) is no evidence of a difference.
  const verdict = ciLow > 0 ? 'gain' : ciHigh < 0 ? 'loss' : 'no measurable gain';
  return { mean, ciLow, ciHigh, pairs: n, verdict };
}

/** A signed value with enough digits that a small nonzero number never prints as 0.000. */
function signed(v: number): string {
  if (v === 0) return '0';
  const digits = v !== 0 && Math.abs(v) < 0.0005 ? 4 : 3;
  const text = Math.abs(v).toFixed(digits);
  return `${v < 0 ? '−' : '+'}${text}`;
}

/** One line, e.g. "+0.012 F1 macro (95% CI +0.004 to +0.020)" or "no measurable gain (−0.003, 95% CI ...)". */
export function describePairedDifference(d: PairedDifference): string {
  if (!Number.isFinite(d.mean)) return 'no measurable gain (no paired runs)';
  if (d.mean === 0 && d.ciLow === 0 && d.ciHigh === 0) return `no measurable gain (the same score in all ${d.pairs} pairs)`;
  const ci = d.ciLow === null || d.ciHigh === null ? 'one pair, no CI' : `95% CI ${signed(d.ciLow)} to ${signed(d.ciHigh)}`;
  if (d.verdict === 'no measurable gain') return `no measurable gain (${signed(d.mean)}, ${ci}, ${d.pairs} pairs)`;
  return `${d.verdict} ${signed(d.mean)} F1 macro (${ci}, ${d.pairs} pairs)`;
}
