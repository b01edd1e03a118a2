import { computeMetrics } from '../heads/metrics';
import { createRng } from '../heads/random';

/**
 * A 95% bootstrap interval of macro F1 from pooled out-of-fold predictions. Whole units (slides,
 * cases or patch images, as comparison-units.ts decides) are resampled, each stratum apart (the
 * slides, each patch set), so a replicate keeps as many slides and as many patch units as the data
 * and correlated tiles of one slide do not make the interval look narrower than the evidence is.
 *
 * @param strata for each stratum, its units, each a list of row indexes
 */
export function bootstrapF1MacroCi(yTrue: Int32Array, proba: Float32Array, k: number, strata: readonly (readonly (readonly number[])[])[], iterations: number, seed: number): [number, number] {
  const rng = createRng(seed);
  const scores: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const rows: number[] = [];
    for (const units of strata) {
      for (let u = 0; u < units.length; u++) for (const row of units[Math.floor(rng.next() * units.length)]!) rows.push(row);
    }
    const y = Int32Array.from(rows, (r) => yTrue[r]!);
    const p = new Float32Array(rows.length * k);
    rows.forEach((r, i) => p.set(proba.subarray(r * k, (r + 1) * k), i * k));
    scores.push(computeMetrics({ yTrue: y, proba: p, k }).f1Macro);
  }
  scores.sort((a, b) => a - b);
  const at = (q: number) => scores[Math.min(scores.length - 1, Math.max(0, Math.round(q * (scores.length - 1))))]!;
  return [at(0.025), at(0.975)];
}
