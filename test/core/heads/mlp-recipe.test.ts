import { describe, expect, it } from 'vitest';
import { adamUpdate } from '../../../src-main/core/heads/adam';
import { fitMlp, type MlpModel, type MlpParams } from '../../../src-main/core/heads/mlp';
import { glorotUniformLayer } from '../../../src-main/core/heads/mlp-init';
import { createRng } from '../../../src-main/core/heads/random';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';

// The MLP's recipe is scikit-learn MLPClassifier's (bench:heads compares the two): these pin the
// parts that would silently move the accuracy if they changed.

function weightNorm(model: MlpModel): number {
  let sum = 0;
  for (const layer of model.layers) for (const w of layer.weights) sum += w * w;
  return Math.sqrt(sum);
}

function maxAbsDiff(a: MlpModel, b: MlpModel): number {
  let worst = 0;
  a.layers.forEach((layer, l) => {
    for (let t = 0; t < layer.weights.length; t++) worst = Math.max(worst, Math.abs(layer.weights[t]! - b.layers[l]!.weights[t]!));
    for (let t = 0; t < layer.bias.length; t++) worst = Math.max(worst, Math.abs(layer.bias[t]! - b.layers[l]!.bias[t]!));
  });
  return worst;
}

describe('mlp recipe (scikit-learn MLPClassifier)', () => {
  it('initialises weights and biases Glorot uniform, bound sqrt(6 / (fan_in + fan_out))', () => {
    const { w, b } = glorotUniformLayer(768, 256, createRng(3));
    const bound = Math.sqrt(6 / (768 + 256));
    let sq = 0;
    let max = 0;
    for (const v of w) {
      sq += v * v;
      max = Math.max(max, Math.abs(v));
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    // Uniform on [-b, b] has variance b^2 / 3 (He normal for 768 inputs would give 2 / 768, 1.5x that).
    expect(sq / w.length / (bound * bound / 3)).toBeGreaterThan(0.98);
    expect(sq / w.length / (bound * bound / 3)).toBeLessThan(1.02);
    expect(b.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(b.some((v) => Math.abs(v) > bound / 2)).toBe(true); // biases drawn too, not zeros
    const again = glorotUniformLayer(768, 256, createRng(3));
    expect(Buffer.from(again.w.buffer).equals(Buffer.from(w.buffer))).toBe(true);
  });

  it('starts fitMlp from that initialisation', () => {
    const data = makeSyntheticDataset({ n: 60, dim: 20, k: 3, margin: 2, seed: 4 });
    // A learning rate too small to move anything leaves the initial layers.
    const model = fitMlp(data.x, 60, 20, data.y, 3, { hidden: [16], dropout: 0, maxEpochs: 1, validationFraction: 0, learningRate: 1e-30 }, 7, null, { engine: 'js' });
    const initRng = createRng(7).fork(11);
    const first = glorotUniformLayer(20, 16, initRng);
    const second = glorotUniformLayer(16, 3, initRng);
    expect(Array.from(model.layers[0]!.weights)).toEqual(Array.from(Float32Array.from(first.w)));
    expect(Array.from(model.layers[0]!.bias)).toEqual(Array.from(Float32Array.from(first.b)));
    expect(Array.from(model.layers[1]!.weights)).toEqual(Array.from(Float32Array.from(second.w)));
  });

  it('adds the L2 term to the gradient before Adam (not AdamW decoupled decay)', () => {
    const w = Float64Array.from([0.5, -0.25, 2, 0]);
    const g = Float64Array.from([0.1, 0, -0.3, 0.2]);
    const l2 = 0.7;
    const penalised = Float64Array.from(w);
    adamUpdate(penalised, g, new Float64Array(4), new Float64Array(4), l2, 1e-3, 1 / (1 - 0.9), 1 / (1 - 0.999));
    const folded = Float64Array.from(w);
    const gFolded = g.map((v, t) => v + l2 * w[t]!);
    adamUpdate(folded, gFolded, new Float64Array(4), new Float64Array(4), 0, 1e-3, 1 / (1 - 0.9), 1 / (1 - 0.999));
    expect(Array.from(penalised)).toEqual(Array.from(folded));
    // No gradient and no penalty: Adam leaves the weight where it is (AdamW would shrink it).
    const still = Float64Array.from([0.5]);
    adamUpdate(still, new Float64Array(1), new Float64Array(1), new Float64Array(1), 0, 1e-3, 10, 1000);
    expect(still[0]).toBe(0.5);
  });

  it('scales the L2 term by alpha / batch rows alike on both engines, short last batch included', () => {
    // 400 rows in batches of 48: the last batch has 16 rows, so alpha / 48 there would differ.
    const data = makeSyntheticDataset({ n: 400, dim: 120, k: 3, margin: 2, seed: 8 });
    const params: MlpParams = { hidden: [40], dropout: 0, batchSize: 48, maxEpochs: 2, validationFraction: 0, weightDecay: 30 };
    const js = fitMlp(data.x, 400, 120, data.y, 3, params, 2, null, { engine: 'js' });
    const onnx = fitMlp(data.x, 400, 120, data.y, 3, params, 2, null, { engine: 'onnx', threads: 2 });
    expect(maxAbsDiff(js, onnx)).toBeLessThan(2e-4);
    const free = fitMlp(data.x, 400, 120, data.y, 3, { ...params, weightDecay: 0 }, 2, null, { engine: 'onnx', threads: 2 });
    // The penalty must actually pull the weights in, by far more than the engines differ.
    expect(maxAbsDiff(free, onnx)).toBeGreaterThan(1e-3);
    expect(weightNorm(onnx)).toBeLessThan(weightNorm(free));
  });
});
