import { describe, expect, it } from 'vitest';
import { argmaxRows } from '../../../src-main/core/heads/metrics';
import { fitMlp, predictMlp, type MlpModel, type MlpParams } from '../../../src-main/core/heads/mlp';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';

function weightBytes(model: MlpModel): Buffer {
  return Buffer.concat(model.layers.flatMap((layer) => [Buffer.from(layer.weights.buffer), Buffer.from(layer.bias.buffer)]));
}

function maxAbsDiff(a: MlpModel, b: MlpModel): number {
  let worst = 0;
  a.layers.forEach((layer, l) => {
    const other = b.layers[l]!;
    for (let t = 0; t < layer.weights.length; t++) worst = Math.max(worst, Math.abs(layer.weights[t]! - other.weights[t]!));
    for (let t = 0; t < layer.bias.length; t++) worst = Math.max(worst, Math.abs(layer.bias[t]! - other.bias[t]!));
  });
  return worst;
}

describe('mlp on ONNX Runtime (data-parallel epochs on helper threads)', () => {
  // 300 inputs and 160 hidden units: sums longer than one MLAS block, and few enough columns per
  // thread that MLAS would block the sums differently with 2 threads if the graph did not prevent it.
  const data = makeSyntheticDataset({ n: 500, dim: 300, k: 3, margin: 3, seed: 21 });
  const params: MlpParams = { hidden: [160, 72], dropout: 0.2, batchSize: 48, maxEpochs: 2, patience: 3 };

  it('gives the same weights with 1 and 2 threads, and again with the same seed', () => {
    const one = fitMlp(data.x, 400, 300, data.y, 3, params, 5, null, { engine: 'onnx', threads: 1 });
    const two = fitMlp(data.x, 400, 300, data.y, 3, params, 5, null, { engine: 'onnx', threads: 2 });
    const again = fitMlp(data.x, 400, 300, data.y, 3, params, 5, null, { engine: 'onnx', threads: 2 });
    // A pooled helper opens its cached session at once: the first epoch must still see the initial weights.
    const oneAgain = fitMlp(data.x, 400, 300, data.y, 3, params, 5, null, { engine: 'onnx', threads: 1 });
    expect(weightBytes(oneAgain).equals(weightBytes(one))).toBe(true);
    expect(weightBytes(two).equals(weightBytes(one))).toBe(true);
    expect(weightBytes(again).equals(weightBytes(two))).toBe(true);
    expect(two.epochs).toBe(one.epochs);
    expect(two.validationLoss).toBe(one.validationLoss);
    const other = fitMlp(data.x, 400, 300, data.y, 3, params, 6, null, { engine: 'onnx', threads: 2 });
    expect(weightBytes(other).equals(weightBytes(two))).toBe(false);
    // The dropout draws reach the helpers: without them the same seed gives other weights.
    const undropped = fitMlp(data.x, 400, 300, data.y, 3, { ...params, dropout: 0 }, 5, null, { engine: 'onnx', threads: 2 });
    expect(weightBytes(undropped).equals(weightBytes(two))).toBe(false);
  });

  it('takes the same steps as the float64 loops (one epoch, up to float32 rounding)', () => {
    const noDropout: MlpParams = { ...params, dropout: 0, maxEpochs: 1, validationFraction: 0 };
    const weights = new Float64Array(400).map((_, i) => 0.5 + (i % 3));
    const js = fitMlp(data.x, 400, 300, data.y, 3, noDropout, 9, weights, { engine: 'js' });
    const onnx = fitMlp(data.x, 400, 300, data.y, 3, noDropout, 9, weights, { engine: 'onnx', threads: 2 });
    // Adam moves each weight by about lr = 1e-3 per step; a wrong gradient would show as ~1e-3 per step.
    expect(maxAbsDiff(js, onnx)).toBeLessThan(2e-4);
    expect(maxAbsDiff(js, onnx)).toBeGreaterThan(0);
  });

  it('learns a separable problem', () => {
    const separable = makeSyntheticDataset({ n: 1200, dim: 200, k: 4, margin: 6, seed: 3 });
    const model = fitMlp(separable.x, 900, 200, separable.y, 4, { hidden: [64], maxEpochs: 30, patience: 5 }, 1, null, { engine: 'onnx', threads: 2 });
    const pred = argmaxRows(predictMlp(model, separable.x.subarray(900 * 200), 300), 300, 4);
    let ok = 0;
    for (let i = 0; i < 300; i++) if (pred[i] === separable.y[900 + i]) ok++;
    expect(ok / 300).toBeGreaterThan(0.95);
  });
});
