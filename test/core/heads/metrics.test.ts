import { describe, expect, it } from 'vitest';
import { averagePrecision, bestF1Threshold, computeMetrics, confusionMatrix, prCurve, rocAuc, rocCurve } from '../../../src-main/core/heads/metrics';

// Reference values from scikit-learn 1.2 on the same arrays.
const yBin = Int32Array.from([0, 0, 1, 1, 0, 1, 0, 1, 1, 0]);
const sBin = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.4, 0.65, 0.55];
const probaBin = Float32Array.from(sBin.flatMap((s) => [1 - s, s]));

describe('metrics', () => {
  it('confusion matrix counts rows = truth, columns = prediction', () => {
    const cm = confusionMatrix(Int32Array.from([0, 0, 1, 2, 2, 2]), Int32Array.from([0, 1, 1, 2, 0, 2]), 3);
    expect(Array.from(cm.counts)).toEqual([1, 1, 0, 0, 1, 0, 1, 0, 2]);
  });

  it('binary precision / recall / F1 / balanced accuracy by hand', () => {
    // Predicted positive (p1 >= 0.5): rows 3, 5, 8, 9 -> TP 3 (3, 5, 8), FP 1 (9), FN 2 (2, 7).
    const m = computeMetrics({ yTrue: yBin, proba: probaBin, k: 2 });
    expect(m.precision).toBeCloseTo(0.75, 12);
    expect(m.recall).toBeCloseTo(0.6, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.balancedAccuracy).toBeCloseTo(0.7, 12);
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    expect(m.rocAuc).toBeCloseTo(0.8, 6); // sklearn roc_auc_score
    expect(m.prAuc).toBeCloseTo(0.8392857142857143, 6); // sklearn average_precision_score
  });

  it('ROC AUC counts tied scores as half (Mann-Whitney)', () => {
    // 25 positive/negative pairs: 19 ordered right, 2 ties -> (19 + 1) / 25.
    expect(rocAuc(sBin, yBin)).toBeCloseTo(0.8, 12);
    expect(rocAuc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
    expect(Number.isNaN(rocAuc([0.1, 0.2], [1, 1]))).toBe(true);
  });

  it('curves start at the origin / full precision and end at (1, 1) / full recall', () => {
    const roc = rocCurve(sBin, yBin);
    expect(roc.fpr[0]).toBe(0);
    expect(roc.tpr[0]).toBe(0);
    expect(roc.fpr[roc.fpr.length - 1]).toBe(1);
    expect(roc.tpr[roc.tpr.length - 1]).toBe(1);
    const pr = prCurve(sBin, yBin);
    expect(pr.recall[pr.recall.length - 1]).toBe(1);
    expect(pr.precision[pr.precision.length - 1]).toBeCloseTo(0.5, 12);
    // Perfect ranking: AP 1.
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0])).toBeCloseTo(1, 12);
  });

  it('finds the F1-optimal threshold', () => {
    // Threshold 0.35 predicts 8 rows positive with TP 5: F1 = 10 / 13, the best achievable here.
    const best = bestF1Threshold(sBin, yBin);
    expect(best.threshold).toBeCloseTo(0.35, 6);
    expect(best.f1).toBeCloseTo(10 / 13, 12);
    expect(best.recall).toBe(1);
  });

  it('multi-class macro figures match scikit-learn', () => {
    const y = Int32Array.from([0, 1, 2, 2, 1, 0, 2, 1, 0, 2]);
    const p = Float32Array.from([0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4, 0.5, 0.4, 0.1, 0.4, 0.35, 0.25, 0.2, 0.2, 0.6, 0.1, 0.8, 0.1, 0.3, 0.4, 0.3, 0.5, 0.2, 0.3]);
    const m = computeMetrics({ yTrue: y, proba: p, k: 3 });
    expect(m.f1Macro).toBeCloseTo(0.6984126984126985, 6);
    expect(m.f1).toBeCloseTo(m.f1Macro, 12);
    expect(m.precision).toBeCloseTo(0.7222222222222222, 6);
    expect(m.recall).toBeCloseTo(0.6944444444444443, 6);
    expect(m.balancedAccuracy).toBeCloseTo(0.6944444444444443, 6);
    expect(m.rocAuc).toBeCloseTo(0.9067460317460316, 6); // roc_auc_score(multi_class='ovr', average='macro')
    expect(m.prAuc).toBeCloseTo(0.8333333333333334, 6);
    // A chosen positive class reports that class's F1.
    const m2 = computeMetrics({ yTrue: y, proba: p, k: 3, positive: 2 });
    expect(m2.f1).toBeCloseTo(6 / 7, 12); // class 2: TP 3, FP 0, FN 1
  });

  it('rejects mismatched shapes', () => {
    expect(() => computeMetrics({ yTrue: yBin, proba: new Float32Array(3), k: 2 })).toThrow(/probabilities/);
  });
});
