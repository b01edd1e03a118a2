import { describe, expect, it } from 'vitest';
import { fit, fitLogisticRegression, predictProba } from '../../../src-main/core/heads/logistic-regression';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';
import { argmaxRows } from '../../../src-main/core/heads/metrics';

// 12 x 3 rows; expected coefficients from scikit-learn 1.2 LogisticRegression(tol=1e-10).
const X = Float32Array.from([2.04, -2.56, 0.42, -0.57, -0.45, -0.22, -2.02, -0.23, -0.87, 3.32, 0.23, -0.35, -0.28, -0.67, -1.06, -0.39, 0.48, -0.24, 0.96, -0.2, 0.02, 1.55, 0.55, -0.51, -0.18, 0.54, 1.94, -0.27, -0.24, 1.0, -0.89, -0.29, 0.88, 0.58, 0.09, 0.67]);

function accuracy(proba: Float32Array, y: Int32Array, n: number, k: number): number {
  const pred = argmaxRows(proba, n, k);
  let ok = 0;
  for (let i = 0; i < n; i++) if (pred[i] === y[i]) ok++;
  return ok / n;
}

describe('logistic regression', () => {
  it('binary: same solution as scikit-learn (C = 1 / l2)', () => {
    const y = Int32Array.from([1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0]);
    const m = fitLogisticRegression(X, 12, 3, y, 2, { l2: 2, tol: 1e-10, maxIter: 1000 });
    const w = [0.6469916254641478, -0.2567646109834769, 0.03267019324855567];
    for (let j = 0; j < 3; j++) expect(m.weights[3 + j]! - m.weights[j]!).toBeCloseTo(w[j]!, 4);
    expect(m.bias[1]! - m.bias[0]!).toBeCloseTo(0.5773557064819306, 4);
    const p = predictProba(m, X, 2);
    expect(p[1]).toBeCloseTo(0.9287905358547542, 4);
    expect(p[3]).toBeCloseTo(0.5785751838925342, 4);
  });

  it('multinomial: same solution as scikit-learn', () => {
    const y = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 1, 2, 0]);
    const m = fit(X, 12, 3, y, 3, { l2: 0.5, tol: 1e-10, maxIter: 1000 });
    const w = [1.3062032827956662, -0.7274506105150371, 0.3700786128687945, 0.10783543612891273, -0.30295652909560156, -0.6009680893628826, -1.4140387189245784, 1.0304071396106387, 0.2308894764940879];
    const b = [-0.5379592715001803, 0.5631514867414246, -0.02519221524124434];
    for (let t = 0; t < 9; t++) expect(m.weights[t]).toBeCloseTo(w[t]!, 3);
    for (let c = 0; c < 3; c++) expect(m.bias[c]).toBeCloseTo(b[c]!, 3);
    expect(m.converged).toBe(true);
    const p = predictProba(m, X, 2);
    expect(p[0]).toBeCloseTo(0.9446397637235517, 4);
    expect(p[4]).toBeCloseTo(0.5654983564964504, 4);
  });

  it("class_weight 'balanced' matches scikit-learn", () => {
    const y = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1]);
    const m = fit(X, 12, 3, y, 2, { l2: 1, classWeight: 'balanced', tol: 1e-10, maxIter: 1000 });
    const w = [-0.10504781301779134, 0.44600266377123265, 1.4271438489844763];
    for (let j = 0; j < 3; j++) expect(m.weights[3 + j]! - m.weights[j]!).toBeCloseTo(w[j]!, 4);
    expect(m.bias[1]! - m.bias[0]!).toBeCloseTo(-0.5917515463969137, 4);
  });

  it('reaches > 0.95 on separable data and ~chance on noise (held out)', () => {
    for (const k of [2, 4]) {
      const d = makeSyntheticDataset({ n: 1200, dim: 32, k, margin: 6, seed: 5 });
      const m = fit(d.x, 800, 32, d.y, k, {});
      expect(accuracy(predictProba(m, d.x.subarray(800 * 32), 400), d.y.subarray(800), 400, k)).toBeGreaterThan(0.95);
      const noise = makeSyntheticDataset({ n: 1200, dim: 32, k, margin: 0, seed: 6 });
      const mn = fit(noise.x, 800, 32, noise.y, k, {});
      const acc = accuracy(predictProba(mn, noise.x.subarray(800 * 32), 400), noise.y.subarray(800), 400, k);
      expect(Math.abs(acc - 1 / k)).toBeLessThan(0.1);
    }
  });

  it('rows not a multiple of the block size give the same model as a padded copy', () => {
    const d = makeSyntheticDataset({ n: 203, dim: 7, k: 3, margin: 2, seed: 9 });
    const a = fit(d.x, 203, 7, d.y, 3, { tol: 1e-8, maxIter: 500 });
    const b = fit(d.x, 200, 7, d.y, 3, { tol: 1e-8, maxIter: 500 });
    expect(a.weights.some((v, i) => v !== b.weights[i])).toBe(true); // the last rows count
    expect(a.converged).toBe(true);
  });

  it('gives the same bits on one thread or several (fixed row shards)', () => {
    const d = makeSyntheticDataset({ n: 3001, dim: 40, k: 3, margin: 2, seed: 12 });
    const one = fit(d.x, d.n, 40, d.y, 3, { threads: 1, maxIter: 30 });
    const two = fit(d.x, d.n, 40, d.y, 3, { threads: 2, maxIter: 30 });
    const three = fit(d.x, d.n, 40, d.y, 3, { threads: 3, maxIter: 30, classWeight: 'balanced' });
    const threeOne = fit(d.x, d.n, 40, d.y, 3, { threads: 1, maxIter: 30, classWeight: 'balanced' });
    expect(Array.from(two.weights)).toEqual(Array.from(one.weights));
    expect(Array.from(two.bias)).toEqual(Array.from(one.bias));
    expect(Array.from(three.weights)).toEqual(Array.from(threeOne.weights));
  });

  it('validates its input', () => {
    expect(() => fit(X, 12, 3, Int32Array.from(new Array(12).fill(3)), 3, {})).toThrow(/label 3/);
    expect(() => fit(X, 13, 3, new Int32Array(13), 2, {})).toThrow(/expected n\*dim/);
    expect(() => fit(X, 12, 3, new Int32Array(12), 2, { l2: -1 })).toThrow(/l2/);
  });
});
