import { describe, expect, it } from 'vitest';
import { fitLogisticRegression } from '../../../src-main/core/heads/logistic-regression';
import { createOnnxLossEvaluator } from '../../../src-main/core/heads/logreg-onnx';
import { createLossEvaluator } from '../../../src-main/core/heads/parallel-loss';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('logistic regression on ONNX Runtime (float32 GEMMs, float64 losses)', () => {
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
      // At the default tol the GEMMs run in float32: the same model up to the tolerance.
      const loose = fitLogisticRegression(d.x, d.n, 300, y, k, { classWeight: 'balanced', engine: 'onnx', threads: 2 });
      const looseJs = fitLogisticRegression(d.x, d.n, 300, y, k, { classWeight: 'balanced', engine: 'js' });
      expect(loose.iterations).toBe(looseJs.iterations);
      expect(maxAbsDiff(loose.weights, looseJs.weights)).toBeLessThan(1e-5);
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

describe('the ONNX loss evaluator', () => {
  it('float32 and float64 GEMMs give the loss and gradient of the JavaScript loops', () => {
    const d = makeSyntheticDataset({ n: 777, dim: 150, k: 3, margin: 2, seed: 5 });
    const weights = new Float64Array(777).map((_, i) => 0.25 + (i % 4));
    for (const outputs of [1, 3]) {
      const y = outputs === 1 ? d.y.map((v) => (v === 2 ? 1 : 0)) : d.y;
      const theta = new Float64Array(outputs * 150 + outputs).map((_, i) => 0.05 * Math.sin(i));
      const reference = new Float64Array(theta.length);
      const js = createLossEvaluator(d.x, 777, 150, y, weights, outputs, 1);
      const expected = js.evaluate(theta, reference);
      js.close();
      for (const data of ['float32', 'float64'] as const) {
        const onnx = createOnnxLossEvaluator(d.x, 777, 150, y, weights, outputs, 2, data);
        const grad = new Float64Array(theta.length);
        const loss = onnx.evaluate(theta, grad);
        onnx.close();
        const tolerance = data === 'float64' ? 1e-9 : 1e-5;
        expect(Math.abs(loss - expected) / expected).toBeLessThan(tolerance);
        let worst = 0;
        let scale = 0;
        for (let p = 0; p < grad.length; p++) {
          worst = Math.max(worst, Math.abs(grad[p]! - reference[p]!));
          scale = Math.max(scale, Math.abs(reference[p]!));
        }
        expect(worst / scale).toBeLessThan(tolerance);
      }
    }
  });
});
