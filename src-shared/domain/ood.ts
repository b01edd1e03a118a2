/**
 * Out-of-distribution percentiles (0..100) at or above this are flagged: the tile is farther from
 * the head's training tiles than 99% of them are from their own neighbours. Shared so the core's
 * summaries and the UI's badges always agree.
 */
export const OOD_FLAG_PERCENTILE = 99;

export function isOutOfDistribution(percentile: number | null): boolean {
  return percentile !== null && percentile >= OOD_FLAG_PERCENTILE;
}

/** "farther than 97% of training tiles" - the wording Review, the report and tooltips share. */
export function describeOod(percentile: number): string {
  if (percentile >= 100) return 'unlike every training tile (out of distribution)';
  return `farther from the training data than ${Math.round(percentile)}% of training tiles${percentile >= OOD_FLAG_PERCENTILE ? ' (out of distribution)' : ''}`;
}
