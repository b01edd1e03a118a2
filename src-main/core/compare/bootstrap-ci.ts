import { computeMetrics } from '../heads/metrics';
import { createRng } from '../heads/random';

/**
 * A 95% bootstrap interval of macro F1 from pooled out-of-fold predictions, resampling whole
 * groups (slides or patients) when there are enough of them, so correlated tiles of one slide do
 * not make the interval look narrower than the evidence is.
 */
export function bootstrapF1MacroCi(yTrue: Int32Array, proba: Float32Array, k: number, groups: Int32Array, iterations: number, seed: number): [number, number] {
  const byGroup = new Map<number, number[]>();
  yTrue.forEach((_, i) => byGroup.set(groups[i]!, [...(byGroup.get(groups[i]!) ?? []), i]));
  const units = byGroup.size >= 8 ? [...byGroup.values()] : Array.from(yTrue, (_, i) => [i]);
  const rng = createRng(seed);
  const scores: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const rows: number[] = [];
    for (let u = 0; u < units.length; u++) rows.push(...units[Math.floor(rng.next() * units.length)]!);
    const y = Int32Array.from(rows, (r) => yTrue[r]!);
    const p = new Float32Array(rows.length * k);
    rows.forEach((r, i) => p.set(proba.subarray(r * k, (r + 1) * k), i * k));
    scores.push(computeMetrics({ yTrue: y, proba: p, k }).f1Macro);
  }
  scores.sort((a, b) => a - b);
  const at = (q: number) => scores[Math.min(scores.length - 1, Math.max(0, Math.round(q * (scores.length - 1))))]!;
  return [at(0.025), at(0.975)];
}
