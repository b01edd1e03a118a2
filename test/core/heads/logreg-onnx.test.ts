import { describe, expect, it } from 'vitest';
import { fitLogisticRegression } from '../../../src-main/core/heads/logistic-regression';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('logistic regression on ONNX Runtime (float64 GEMMs)', () => {
  const d = makeSyntheticDataset({ n: 1501, dim: 300, k: 4, margin: 2, seed: 31 });

  it('finds the same solution as the JavaScript loops, softmax and binary, with class weights', () => {
    for (const k of [4, 2]) {
      const y = k === 4 ? d.y : d.y.map((v) => (v === 0 ? 1 : 0));
      const params = { tol: 1e-7, maxIter: 300, classWeight: 'balanced' as const };
      const js = fitLogisticRegression(d.x, d.n, 300, y, k, { ...params, engine: 'js' });
      const onnx = fitLogisticRegression(d.x, d.n, 300, y, k, { ...params, engine: 'onnx', threads: 2 });
      expect(onnx.converged).toBe(true);
      expect(maxAbsDiff(onnx.weights, js.weights)).toBeLessThan(1e-4);
      expect(maxAbsDiff(onnx.bias, js.bias)).toBeLessThan(1e-4);
    }
  });

  it('gives the same bits on one thread or two', () => {
    const one = fitLogisticRegression(d.x, d.n, 300, d.y, 4, { maxIter: 25, engine: 'onnx', threads: 1 });
    const two = fitLogisticRegression(d.x, d.n, 300, d.y, 4, { maxIter: 25, engine: 'onnx', threads: 2 });
    expect(Buffer.from(two.weights.buffer).equals(Buffer.from(one.weights.buffer))).toBe(true);
    expect(Array.from(two.bias)).toEqual(Array.from(one.bias));
    expect(two.iterations).toBe(one.iterations);
  });
});
