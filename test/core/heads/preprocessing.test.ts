import { describe, expect, it } from 'vitest';
import { deserializeHead, predictHeadProba, serializeHead, trainHead } from '../../../src-main/core/heads/head';
import { augmentTrainingRows, parseCopies, parseSyntheticWeight } from '../../../src-main/core/heads/feature-augmentation';
import { learningCurve } from '../../../src-main/core/heads/learning-curve';
import { makeFailureModeDataset } from '../../../src-main/core/heads/failure-mode-data';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';
import { fitStandardizer } from '../../../src-main/core/heads/standardize';
import { AUTO_FALLBACK, AUTO_MIN_ROWS_PER_CLASS } from '../../../src-main/core/heads/auto-preprocessing';
import { createRng } from '../../../src-main/core/heads/random';
import { PREPROCESSINGS } from '../../../src-main/core/heads/preprocessing';
import { describePairedDifference, pairedDifference } from '../../../src-shared/domain/paired-difference';

describe('head preprocessing', () => {
  const data = makeSyntheticDataset({ n: 90, dim: 12, k: 3, margin: 3, groups: 9, seed: 5 });
  // Project statistics deliberately different from the training rows' own, so the two standardisations differ.
  const pool = makeSyntheticDataset({ n: 300, dim: 12, k: 3, margin: 6, seed: 6 });
  data.projectStats = fitStandardizer(pool.x, pool.n, pool.dim);

  it.each(PREPROCESSINGS)('%s: stored in the head, applied at prediction, round-trips through the bytes', (preprocess) => {
    const head = trainHead('logreg', { preprocess }, data, 1);
    expect(head.preprocess).toBe(preprocess);
    expect(head.standardizer !== null).toBe(preprocess.startsWith('standardize'));
    if (preprocess === 'standardize-project') expect(Array.from(head.standardizer!.mean)).toEqual(Array.from(data.projectStats!.mean));
    const back = deserializeHead(serializeHead(head));
    expect(back.preprocess).toBe(preprocess);
    expect(Array.from(predictHeadProba(back, data.x, data.n))).toEqual(Array.from(predictHeadProba(head, data.x, data.n)));
  });

  it('the choices give different heads (none of them is silently the same as another)', () => {
    const probas = PREPROCESSINGS.map((preprocess) => predictHeadProba(trainHead('logreg', { preprocess }, data, 1), data.x, data.n));
    for (let a = 0; a < probas.length; a++) for (let b = a + 1; b < probas.length; b++) expect(Array.from(probas[a]!)).not.toEqual(Array.from(probas[b]!));
  });

  it('standardize-project without project statistics is refused with one line', () => {
    expect(() => trainHead('logreg', { preprocess: 'standardize-project' }, { ...data, projectStats: undefined }, 1)).toThrow(/standardize-project: the backbone has no stored embeddings/);
    expect(() => trainHead('logreg', { preprocess: 'bogus' as never }, data, 1)).toThrow(/'bogus' is not one of auto, none, l2/);
  });

  it('auto: the fixed fallback below the row threshold, nested CV above it, reported in the head', () => {
    const few = trainHead('logreg', { preprocess: 'auto' }, data, 1, { rows: Int32Array.from({ length: 3 * (AUTO_MIN_ROWS_PER_CLASS - 1) }, (_, i) => i) });
    expect(few.selection).toMatchObject({ how: 'fallback', preprocess: AUTO_FALLBACK });
    expect(few.preprocess).toBe(AUTO_FALLBACK);
    const many = trainHead('logreg', { preprocess: 'auto' }, data, 1);
    expect(many.selection?.how).toBe('nested-cv');
    expect(many.selection?.reason).toMatch(/nested CV chose/);
    expect(many.params).toMatchObject({ preprocess: many.preprocess, l2: many.selection!.params.l2 });
    expect(deserializeHead(serializeHead(many)).selection).toEqual(many.selection);
  });
});

describe('generated failure-mode problem (high-dimensional, anisotropic, informative directions of low variance)', () => {
  it('auto >= none - 0.01 and auto > standardise-on-rows at 2 and 5 labels per class', () => {
    const data = makeFailureModeDataset({ perClass: 40, unlabelled: 400, seed: 11 });
    const curve = (preprocess: 'auto' | 'none' | 'standardize') =>
      learningCurve({ dataset: data, kind: 'logreg', params: { classWeight: 'balanced', preprocess }, labelsPerClass: [2, 5], repeats: 10, seed: 2 }).map((p) => p.f1Macro);
    const auto = curve('auto');
    const none = curve('none');
    const rows = curve('standardize');
    for (let i = 0; i < 2; i++) {
      expect(auto[i]!).toBeGreaterThanOrEqual(none[i]! - 0.01);
      expect(auto[i]!).toBeGreaterThan(rows[i]!);
    }
  });
});

describe('views augmentation: every stored view by default', () => {
  const data = makeSyntheticDataset({ n: 30, dim: 4, k: 2, margin: 2, views: 7, seed: 3 });
  const rows = Int32Array.from([0, 1, 2, 3]);

  it("copies 'all' adds each stored view of each training row exactly once", () => {
    const out = augmentTrainingRows(data, rows, { methods: ['views'] }, createRng(1));
    expect(out.n).toBe(4 + 4 * 7);
    expect(out.weights).toBeNull();
    const seen = new Set<string>();
    for (let i = 4; i < out.n; i++) seen.add(Array.from(out.x.subarray(i * 4, i * 4 + 4)).join(','));
    expect(seen.size).toBe(28);
    expect(augmentTrainingRows(data, rows, { methods: ['views'], copies: 2 }, createRng(1)).n).toBe(4 + 8);
  });

  it('synthetic rows carry their weight; bad copies and weights are refused', () => {
    const out = augmentTrainingRows(data, rows, { methods: ['views'], syntheticWeight: 0.25 }, createRng(1));
    expect(Array.from(out.weights!.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(out.weights!.subarray(4).every((w) => w === 0.25)).toBe(true);
    const weighted = trainHead('logreg', { preprocess: 'none' }, data, 1, { rows, augment: { methods: ['views'], syntheticWeight: 0.25 } });
    const plain = trainHead('logreg', { preprocess: 'none' }, data, 1, { rows, augment: { methods: ['views'] } });
    expect(weighted.kind === 'logreg' && plain.kind === 'logreg').toBe(true);
    if (weighted.kind === 'logreg' && plain.kind === 'logreg') expect(Array.from(weighted.model.weights)).not.toEqual(Array.from(plain.model.weights));
    expect(() => parseCopies(0)).toThrow(/copies must be 'all' or a whole number >= 1, got '0'/);
    expect(() => parseCopies('many')).toThrow(/got 'many'/);
    expect(parseCopies('3')).toBe(3);
    expect(parseCopies(undefined)).toBe('all');
    expect(() => parseSyntheticWeight('0')).toThrow(/synthetic weight must be a number > 0/);
  });
});

describe('paired with/without difference', () => {
  it('a CI that includes 0 is "no measurable gain"; never printed as ±0.000', () => {
    const same = pairedDifference([0.8, 0.8, 0.8], [0.8, 0.8, 0.8]);
    expect(same).toMatchObject({ mean: 0, ciLow: 0, ciHigh: 0, verdict: 'no measurable gain' });
    expect(describePairedDifference(same)).toBe('no measurable gain (the same score in all 3 pairs)');
    const gain = pairedDifference([0.82, 0.85, 0.81, 0.84], [0.8, 0.82, 0.8, 0.81]);
    expect(gain.verdict).toBe('gain');
    expect(gain.ciLow!).toBeGreaterThan(0);
    expect(describePairedDifference(gain)).toMatch(/^gain \+0\.022 F1 macro \(95% CI \+0\.\d{3} to \+0\.\d{3}, 4 pairs\)/);
    const tiny = pairedDifference([0.8001, 0.8002], [0.8, 0.8]);
    expect(describePairedDifference(tiny)).not.toMatch(/0\.000[^\d]/);
    const mixed = pairedDifference([0.9, 0.7], [0.8, 0.8]);
    expect(mixed.verdict).toBe('no measurable gain');
  });
});
