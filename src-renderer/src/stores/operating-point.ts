/** A labelled tile scored for the class of interest: its score and whether its label agrees with that class. */
export interface ScoredTruth {
  score: number;
  truth: boolean;
}

/** Precision and recall of the head at a threshold, over `tiles` labelled tiles it predicted. */
export interface OperatingPoint {
  threshold: number;
  precision: number | null;
  recall: number | null;
  tiles: number;
}

/**
 * Precision and recall of "score >= threshold is called" over labelled tiles; null where the
 * ratio has no denominator (no tile called, or no tile of the class).
 */
export function operatingPointOf(tiles: readonly ScoredTruth[], threshold: number): OperatingPoint {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const tile of tiles) {
    const called = tile.score >= threshold;
    if (called && tile.truth) tp++;
    else if (called) fp++;
    else if (tile.truth) fn++;
  }
  return { threshold, precision: tp + fp > 0 ? tp / (tp + fp) : null, recall: tp + fn > 0 ? tp / (tp + fn) : null, tiles: tiles.length };
}

/**
 * The precision-recall curve over labelled tiles, as [recall, precision] points from the highest
 * threshold down: the PR curve of a class the head's cross-validation did not measure (another
 * class of interest, or all classes by confidence). Empty without a tile of the class.
 */
export function labelledPrCurve(tiles: readonly ScoredTruth[]): Array<[number, number]> {
  const positives = tiles.filter((t) => t.truth).length;
  if (positives === 0) return [];
  const sorted = [...tiles].sort((a, b) => b.score - a.score);
  const points: Array<[number, number]> = [];
  let tp = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.truth) tp++;
    // One point per distinct score: tiles of equal score are called together.
    if (i + 1 < sorted.length && sorted[i + 1]!.score === sorted[i]!.score) continue;
    points.push([tp / positives, tp / (i + 1)]);
  }
  return points;
}
