/** Slide-level figures from per-tile probabilities of the positive class. */
export interface SlideSummary {
  tiles: number;
  positive: number;
  fraction: number;
  max: number;
  mean: number;
  meanTopK: number;
  /** Positive tiles per mm² of tiled tissue, when the slide's resolution is known. */
  positivesPerMm2: number | null;
}

export function summarizeSlide(scores: Float32Array, threshold: number, topK: number, tileAreaMm2: number | null): SlideSummary {
  const n = scores.length;
  if (n === 0) return { tiles: 0, positive: 0, fraction: 0, max: 0, mean: 0, meanTopK: 0, positivesPerMm2: tileAreaMm2 === null ? null : 0 };
  let positive = 0;
  let max = 0;
  let sum = 0;
  for (const s of scores) {
    if (s >= threshold) positive++;
    if (s > max) max = s;
    sum += s;
  }
  const k = Math.min(topK, n);
  const top = Float32Array.from(scores).sort().subarray(n - k);
  const meanTopK = top.reduce((a, b) => a + b, 0) / k;
  return {
    tiles: n,
    positive,
    fraction: positive / n,
    max,
    mean: sum / n,
    meanTopK,
    positivesPerMm2: tileAreaMm2 === null ? null : positive / (n * tileAreaMm2),
  };
}
