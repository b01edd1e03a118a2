/**
 * Otsu's threshold of a 256-bin histogram: the value that maximises the between-class variance.
 * Returns t such that values > t form the foreground class.
 */
export function otsuThreshold(histogram: ArrayLike<number>): number {
  let total = 0;
  let weightedSum = 0;
  for (let v = 0; v < 256; v++) {
    total += histogram[v] ?? 0;
    weightedSum += v * (histogram[v] ?? 0);
  }
  if (total === 0) return 0;
  let backgroundCount = 0;
  let backgroundSum = 0;
  let bestThreshold = 0;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    backgroundCount += histogram[t] ?? 0;
    if (backgroundCount === 0) continue;
    const foregroundCount = total - backgroundCount;
    if (foregroundCount === 0) break;
    backgroundSum += t * (histogram[t] ?? 0);
    const meanBackground = backgroundSum / backgroundCount;
    const meanForeground = (weightedSum - backgroundSum) / foregroundCount;
    const variance = backgroundCount * foregroundCount * (meanBackground - meanForeground) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      bestThreshold = t;
    }
  }
  return bestThreshold;
}
