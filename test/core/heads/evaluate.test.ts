import { describe, expect, it } from 'vitest';
import { crossValidate, searchCandidates } from '../../../src-main/core/heads/evaluate';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';

const KEYS = ['accuracy', 'balancedAccuracy', 'f1', 'f1Macro', 'prAuc', 'precision', 'recall', 'rocAuc'];

describe('crossValidate', () => {
  it('reports mean, std, per-fold metrics, summed confusion and pooled curves', () => {
    const dataset = makeSyntheticDataset({ n: 400, dim: 16, k: 2, margin: 3, groups: 20, groupShift: 0.2, seed: 1 });
    const r = crossValidate({ dataset, kind: 'logreg', params: {}, folds: 5, seed: 3 });
    expect(Object.keys(r.metrics).sort()).toEqual(KEYS);
    expect(Object.keys(r.metricsStd).sort()).toEqual(KEYS);
    expect(r.folds).toHaveLength(5);
    expect(r.folds.reduce((a, f) => a + f.testRows, 0)).toBe(400);
    expect(Array.from(r.confusion.counts).reduce((a, b) => a + b, 0)).toBe(400);
    expect(r.metrics.accuracy).toBeGreaterThan(0.85);
    expect(r.metrics.rocAuc).toBeGreaterThan(0.9);
    expect(r.classes).toEqual(['class0', 'class1']);
    expect(r.curveClass).toBe('class1');
    expect(r.rocCurve.fpr.length).toBe(r.rocCurve.tpr.length);
    expect(r.bestThreshold!.f1).toBeGreaterThanOrEqual(0);
    const mean = r.folds.reduce((a, f) => a + f.metrics.f1Macro, 0) / 5;
    expect(r.metrics.f1Macro).toBeCloseTo(mean, 12);
  });

  it('is deterministic for a seed', () => {
    const dataset = makeSyntheticDataset({ n: 240, dim: 8, k: 3, margin: 2, groups: 12, seed: 2 });
    const a = crossValidate({ dataset, kind: 'mlp', params: { hidden: [8], maxEpochs: 15 }, folds: 3, seed: 9 });
    const b = crossValidate({ dataset, kind: 'mlp', params: { hidden: [8], maxEpochs: 15 }, folds: 3, seed: 9 });
    expect(a.metrics).toEqual(b.metrics);
    expect(Array.from(a.outOfFold)).toEqual(Array.from(b.outOfFold));
  });

  it('with augmentation reports F1 macro with and without it on the same folds', () => {
    const dataset = makeSyntheticDataset({ n: 200, dim: 8, k: 2, margin: 2, groups: 10, views: 2, seed: 4 });
    const r = crossValidate({ dataset, kind: 'logreg', params: {}, folds: 4, seed: 1, augment: 'views+noise' });
    expect(r.augmentation!.method).toBe('views+noise');
    expect(r.augmentation!.f1MacroWith).toBeCloseTo(r.metrics.f1Macro, 12);
    const without = crossValidate({ dataset, kind: 'logreg', params: {}, folds: 4, seed: 1 });
    expect(r.augmentation!.f1MacroWithout).toBeCloseTo(without.metrics.f1Macro, 12);
  });

  it('searches inside the training folds and reports the chosen parameters', () => {
    const dataset = makeSyntheticDataset({ n: 240, dim: 8, k: 2, margin: 2.5, groups: 12, seed: 5 });
    const r = crossValidate({ dataset, kind: 'knn', params: {}, folds: 3, seed: 2, search: { space: { k: [1, 15] }, metric: 'rocAuc', innerFolds: 2 } });
    expect(r.search!.metric).toBe('rocAuc');
    expect(r.search!.chosen).toHaveLength(3);
    // One neighbour gives a degenerate ranking, so ROC AUC prefers 15.
    for (const c of r.search!.chosen) expect(c.k).toBe(15);
    expect(r.folds[0]!.searchScore).toBeGreaterThan(0.5);
  });

  it('falls back to fewer folds with a message, names the positive class', () => {
    const dataset = makeSyntheticDataset({ n: 60, dim: 4, k: 3, margin: 3, groups: 3, seed: 6 });
    const r = crossValidate({ dataset, kind: 'logreg', params: {}, folds: 5, seed: 1, positive: 'class2' });
    expect(r.folds).toHaveLength(3);
    expect(r.messages.join(' ')).toMatch(/using 3 folds/);
    expect(r.curveClass).toBe('class2');
    expect(() => crossValidate({ dataset, kind: 'logreg', params: {}, folds: 5, seed: 1, positive: 'tumour' })).toThrow(/positive class 'tumour'/);
  });

  it('search candidates: full grid, or a seeded random subset without repeats', () => {
    const space = { l2: [0.1, 1, 10], classWeight: ['none', 'balanced'] };
    expect(searchCandidates({ space }, 1)).toHaveLength(6);
    const random = searchCandidates({ space, mode: 'random', trials: 4 }, 1);
    expect(random).toHaveLength(4);
    expect(new Set(random.map((c) => JSON.stringify(c))).size).toBe(4);
    expect(searchCandidates({ space, mode: 'random', trials: 4 }, 1)).toEqual(random);
  });
});
