import { describe, expect, it } from 'vitest';
import { learningCurve, learningCurveDetailed } from '../../../src-main/core/heads/learning-curve';
import { bayesAccuracyBinary, makeSyntheticDataset, normalCdf } from '../../../src-main/core/heads/synthetic-data';

describe('learning curve', () => {
  it('F1 macro rises with labels per class; reports augmented figures on the same draws', () => {
    const dataset = makeSyntheticDataset({ n: 600, dim: 32, k: 3, margin: 4, groups: 30, views: 1, seed: 1 });
    const points = learningCurve({ dataset, kind: 'logreg', params: {}, labelsPerClass: [2, 10, 'all'], repeats: 3, seed: 4, augment: 'views' });
    expect(points.map((p) => p.labelsPerClass)).toEqual([2, 10, 'all']);
    for (const p of points) {
      expect(p.repeats).toBe(3);
      expect(p.f1MacroAugmented).toBeGreaterThan(0);
      expect(p.f1MacroStd).toBeGreaterThanOrEqual(0);
    }
    expect(points[0]!.trainRows).toBe(6);
    expect(points[2]!.f1Macro).toBeGreaterThan(points[0]!.f1Macro);
    expect(points[2]!.f1Macro).toBeGreaterThan(0.9);
  });

  it('is seeded and needs no augmentation', () => {
    const dataset = makeSyntheticDataset({ n: 200, dim: 8, k: 2, margin: 2, groups: 10, seed: 2 });
    const options = { dataset, kind: 'knn' as const, params: { k: 3 }, labelsPerClass: [5, 20], repeats: 2, seed: 3 };
    const a = learningCurveDetailed(options);
    expect(a.points).toEqual(learningCurveDetailed(options).points);
    expect(a.points[0]!.f1MacroAugmented).toBeUndefined();
    expect(() => learningCurve({ ...options, labelsPerClass: [0] })).toThrow(/positive integers/);
  });
});

describe('synthetic data', () => {
  it('is seeded and has the stated separability', () => {
    const a = makeSyntheticDataset({ n: 100, dim: 10, k: 3, margin: 2, seed: 1 });
    const b = makeSyntheticDataset({ n: 100, dim: 10, k: 3, margin: 2, seed: 1 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.groups)).toEqual(Array.from(b.groups));
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
    // Class-centre distance equals the margin.
    const d = makeSyntheticDataset({ n: 4000, dim: 20, k: 2, margin: 3, seed: 2 });
    const mean = [new Float64Array(20), new Float64Array(20)];
    const count = [0, 0];
    for (let i = 0; i < d.n; i++) {
      count[d.y[i]!]!++;
      for (let j = 0; j < 20; j++) mean[d.y[i]!]![j]! += d.x[i * 20 + j]!;
    }
    let dist = 0;
    for (let j = 0; j < 20; j++) dist += (mean[0]![j]! / count[0]! - mean[1]![j]! / count[1]!) ** 2;
    expect(Math.sqrt(dist)).toBeCloseTo(3, 0);
    expect(bayesAccuracyBinary(3)).toBeCloseTo(0.9332, 3);
  });
});
