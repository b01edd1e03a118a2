import { HistoError } from '../errors';
import { gatherLabels, gatherRows, validateDataset, type Dataset } from './dataset';
import { groupedHoldout } from './cross-validation';
import { parseAugmentation, type AugmentationInput } from './feature-augmentation';
import { predictHeadProba, trainHead, type HeadKind, type HeadParamsByKind } from './head';
import { computeMetrics } from './metrics';
import { createRng, permutation } from './random';
import { pairedDifference, type PairedDifference } from '../../../src-shared/domain/paired-difference';

export interface LearningCurveOptions<K extends HeadKind = HeadKind> {
  dataset: Dataset;
  kind: K;
  params: HeadParamsByKind[K];
  /** Labelled rows per class to train on, e.g. [2, 5, 10, 25, 50, 'all']. */
  labelsPerClass: ReadonlyArray<number | 'all'>;
  /** Seeded draws per point. Default 5. */
  repeats?: number;
  seed: number;
  /** When set, every point is also trained with this augmentation (same draws). */
  augment?: AugmentationInput;
  /** Share of the groups held out as the test set of each repeat. Default 0.3. */
  testFraction?: number;
}

export interface LearningCurvePoint {
  labelsPerClass: number | 'all';
  f1Macro: number;
  f1MacroStd: number;
  f1MacroAugmented?: number;
  f1MacroAugmentedStd?: number;
  /** Paired (with - without) difference over the same draws, with its 95% CI. */
  difference?: PairedDifference;
  repeats: number;
  /** Mean rows actually drawn per repeat (a class with fewer rows gives all it has). */
  trainRows: number;
}

export interface LearningCurveResult {
  points: LearningCurvePoint[];
  messages: string[];
}

function meanStd(values: number[]): [number, number] {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return [m, Math.sqrt(values.reduce((a, b) => a + (b - m) * (b - m), 0) / values.length)];
}

/**
 * F1 macro against the number of labels per class. Each repeat draws a fresh grouped holdout (test
 * groups never train) and, for each N, N training rows per class from the remaining groups; the
 * test set is the same for every N of a repeat, so the curve compares like with like.
 */
export function learningCurveDetailed<K extends HeadKind>(options: LearningCurveOptions<K>): LearningCurveResult {
  const { dataset: data, kind, params, seed } = options;
  validateDataset(data);
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new HistoError('VALIDATION', `learning curve: repeats must be a positive integer, got ${repeats}`);
  for (const n of options.labelsPerClass) {
    if (n !== 'all' && (!Number.isInteger(n) || n < 1)) throw new HistoError('VALIDATION', `learning curve: labels per class must be positive integers or 'all', got ${n}`);
  }
  const k = data.classes.length;
  const augment = parseAugmentation(options.augment);
  const messages: string[] = [];
  const plain: number[][] = options.labelsPerClass.map(() => []);
  const augmented: number[][] = options.labelsPerClass.map(() => []);
  const drawn: number[][] = options.labelsPerClass.map(() => []);
  for (let r = 0; r < repeats; r++) {
    const repeatSeed = (seed * 1000003 + r * 7919 + 17) >>> 0;
    const split = groupedHoldout(data.y, data.groups, k, options.testFraction ?? 0.3, repeatSeed);
    for (const m of split.messages) if (!messages.includes(m)) messages.push(m);
    const testX = gatherRows(data.x, data.dim, split.test);
    const testY = gatherLabels(data.y, split.test);
    const rng = createRng(repeatSeed ^ 0x9e37);
    // One random order of each class's pool rows per repeat: N rows = its first N, so larger N extend smaller ones.
    const pools: number[][] = Array.from({ length: k }, () => []);
    for (const row of split.train) pools[data.y[row]!]!.push(row);
    const orders = pools.map((pool) => Array.from(permutation(pool.length, rng), (i) => pool[i]!));
    options.labelsPerClass.forEach((count, p) => {
      const rows: number[] = [];
      for (const order of orders) rows.push(...(count === 'all' ? order : order.slice(0, count)));
      rows.sort((a, b) => a - b);
      const train = Int32Array.from(rows);
      drawn[p]!.push(train.length);
      const present = new Set(rows.map((row) => data.y[row]!)).size;
      if (present < 2) {
        messages.push(`repeat ${r}, ${count} per class: fewer than 2 classes in the training draw, point skipped`);
        return;
      }
      for (const [aug, sink] of [[null, plain], [augment, augmented]] as const) {
        if (sink === augmented && !augment) continue;
        const head = trainHead(kind, params, data, repeatSeed + p, { rows: train, augment: aug });
        const proba = predictHeadProba(head, testX, split.test.length);
        sink[p]!.push(computeMetrics({ yTrue: testY, proba, k }).f1Macro);
      }
    });
  }
  const points = options.labelsPerClass.map((count, p): LearningCurvePoint => {
    const values = plain[p]!;
    const [f1Macro, f1MacroStd] = values.length ? meanStd(values) : [NaN, NaN];
    const point: LearningCurvePoint = { labelsPerClass: count, f1Macro, f1MacroStd, repeats: values.length, trainRows: drawn[p]!.reduce((a, b) => a + b, 0) / drawn[p]!.length };
    if (augment) {
      const aug = augmented[p]!;
      [point.f1MacroAugmented, point.f1MacroAugmentedStd] = aug.length ? meanStd(aug) : [NaN, NaN];
      point.difference = pairedDifference(aug, values);
    }
    return point;
  });
  return { points, messages };
}

/** The curve's points (see learningCurveDetailed for the messages as well). */
export function learningCurve<K extends HeadKind>(options: LearningCurveOptions<K>): LearningCurvePoint[] {
  return learningCurveDetailed(options).points;
}
