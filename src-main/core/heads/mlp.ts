import { HistoError } from '../errors';
import { validateLabels, validateMatrix } from './dataset';
import { combineWeights, rowWeights, type ClassWeight } from './logistic-regression';
import { ADAM_BETA1, ADAM_BETA2, adamUpdate } from './adam';
import { glorotUniformLayer } from './mlp-init';
import { FORWARD_CHUNK, MlpOrtEngine } from './mlp-ort';
import { defaultThreads } from './parallel-loss';
import { createRng, permutation, type Rng } from './random';

export interface MlpParams {
  /** Units per hidden layer: one or two layers. Default [256]. */
  hidden?: number[];
  /** Dropout on hidden activations during training. Default 0.2. */
  dropout?: number;
  learningRate?: number;
  /**
   * L2 penalty on the weights (not biases), scikit-learn MLPClassifier's alpha: alpha / batch rows
   * times w is added to each minibatch's mean-loss gradient before Adam. Default 1e-4.
   */
  weightDecay?: number;
  batchSize?: number;
  maxEpochs?: number;
  /** Epochs without a better validation loss before stopping. Default 10. */
  patience?: number;
  /** Share of the training rows held out (stratified) for early stopping. Default 0.15; 0 disables. */
  validationFraction?: number;
  classWeight?: ClassWeight;
}

export const MLP_DEFAULTS = {
  hidden: [256],
  dropout: 0.2,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  batchSize: 64,
  maxEpochs: 100,
  patience: 10,
  validationFraction: 0.15,
};

/** How to compute, not what: results depend on neither field's value for a given engine. */
export interface MlpRunOptions {
  /**
   * 'onnx': whole epochs on ONNX Runtime helper threads, data-parallel over each minibatch's row
   * shards (mlp-ort.ts); 'js': the single-threaded float64 loops below; 'auto' (default): onnx
   * once an epoch is worth it.
   */
  engine?: 'auto' | 'js' | 'onnx';
  /** Threads for the onnx engine: training helpers (at most 2) and the validation pass's intra-op threads (default: HISTO_HEADS_THREADS, else all cores for large problems). */
  threads?: number;
}

/** Multiply-adds of the first layer per epoch above which ONNX Runtime beats the JavaScript loops. */
const ONNX_MIN_WORK = 2e7;

export interface MlpLayer {
  inputs: number;
  outputs: number;
  /** outputs * inputs, row o = unit o. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface MlpModel {
  k: number;
  dim: number;
  layers: MlpLayer[];
  epochs: number;
  bestEpoch: number;
  /** Validation loss at the kept epoch (NaN without a validation split). */
  validationLoss: number;
}

interface Layer64 {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/** out[i, o] = bias[o] + sum_j a[i, j] * w[o, j]: two rows by four units per pass (eight accumulators). */
function denseForward(a: Float64Array, m: number, p: number, w: Float64Array, b: Float64Array, q: number, out: Float64Array): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = i * p;
    const a1 = a0 + p;
    let o = 0;
    for (; o + 4 <= q; o += 4) {
      const w0 = o * p;
      const w1 = w0 + p;
      const w2 = w1 + p;
      const w3 = w2 + p;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let j = 0; j < p; j++) {
        const x0 = a[a0 + j]!;
        const x1 = a[a1 + j]!;
        const u0 = w[w0 + j]!;
        const u1 = w[w1 + j]!;
        const u2 = w[w2 + j]!;
        const u3 = w[w3 + j]!;
        s00 += x0 * u0;
        s01 += x0 * u1;
        s02 += x0 * u2;
        s03 += x0 * u3;
        s10 += x1 * u0;
        s11 += x1 * u1;
        s12 += x1 * u2;
        s13 += x1 * u3;
      }
      const r0 = i * q + o;
      const r1 = r0 + q;
      out[r0] = s00 + b[o]!;
      out[r0 + 1] = s01 + b[o + 1]!;
      out[r0 + 2] = s02 + b[o + 2]!;
      out[r0 + 3] = s03 + b[o + 3]!;
      out[r1] = s10 + b[o]!;
      out[r1 + 1] = s11 + b[o + 1]!;
      out[r1 + 2] = s12 + b[o + 2]!;
      out[r1 + 3] = s13 + b[o + 3]!;
    }
    for (; o < q; o++) {
      let s0 = 0;
      let s1 = 0;
      for (let j = 0; j < p; j++) {
        s0 += a[a0 + j]! * w[o * p + j]!;
        s1 += a[a1 + j]! * w[o * p + j]!;
      }
      out[i * q + o] = s0 + b[o]!;
      out[(i + 1) * q + o] = s1 + b[o]!;
    }
  }
  for (; i < m; i++) {
    for (let o = 0; o < q; o++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += a[i * p + j]! * w[o * p + j]!;
      out[i * q + o] = s + b[o]!;
    }
  }
}

/**
 * gw[o, j] += sum_i dz[i, o] * a[i, j]; gb[o] += sum_i dz[i, o]. Four rows by two units per pass;
 * a pair of units whose deltas are all zero (ReLU off, dropped out) is skipped.
 */
function denseWeightGrad(dz: Float64Array, m: number, q: number, a: Float64Array, p: number, gw: Float64Array, gb: Float64Array): void {
  for (let i = 0; i < m; i++) for (let o = 0; o < q; o++) gb[o] = gb[o]! + dz[i * q + o]!;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = i * p;
    const a1 = a0 + p;
    const a2 = a1 + p;
    const a3 = a2 + p;
    let o = 0;
    for (; o + 2 <= q; o += 2) {
      const d0 = i * q + o;
      const g00 = dz[d0]!;
      const g10 = dz[d0 + q]!;
      const g20 = dz[d0 + 2 * q]!;
      const g30 = dz[d0 + 3 * q]!;
      const g01 = dz[d0 + 1]!;
      const g11 = dz[d0 + q + 1]!;
      const g21 = dz[d0 + 2 * q + 1]!;
      const g31 = dz[d0 + 3 * q + 1]!;
      if (g00 === 0 && g10 === 0 && g20 === 0 && g30 === 0 && g01 === 0 && g11 === 0 && g21 === 0 && g31 === 0) continue;
      const w0 = o * p;
      const w1 = w0 + p;
      for (let j = 0; j < p; j++) {
        const x0 = a[a0 + j]!;
        const x1 = a[a1 + j]!;
        const x2 = a[a2 + j]!;
        const x3 = a[a3 + j]!;
        gw[w0 + j] = gw[w0 + j]! + g00 * x0 + g10 * x1 + g20 * x2 + g30 * x3;
        gw[w1 + j] = gw[w1 + j]! + g01 * x0 + g11 * x1 + g21 * x2 + g31 * x3;
      }
    }
    for (; o < q; o++) {
      const g0 = dz[i * q + o]!;
      const g1 = dz[(i + 1) * q + o]!;
      const g2 = dz[(i + 2) * q + o]!;
      const g3 = dz[(i + 3) * q + o]!;
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue;
      const wo = o * p;
      for (let j = 0; j < p; j++) gw[wo + j] = gw[wo + j]! + g0 * a[a0 + j]! + g1 * a[a1 + j]! + g2 * a[a2 + j]! + g3 * a[a3 + j]!;
    }
  }
  for (; i < m; i++) {
    for (let o = 0; o < q; o++) {
      const g = dz[i * q + o]!;
      if (g === 0) continue;
      const wo = o * p;
      for (let j = 0; j < p; j++) gw[wo + j] = gw[wo + j]! + g * a[i * p + j]!;
    }
  }
}

/** da[i, j] = sum_o dz[i, o] * w[o, j]. */
function denseInputGrad(dz: Float64Array, m: number, q: number, w: Float64Array, p: number, da: Float64Array): void {
  da.fill(0, 0, m * p);
  for (let i = 0; i < m; i++) {
    const ao = i * p;
    let o = 0;
    for (; o + 2 <= q; o += 2) {
      const g0 = dz[i * q + o]!;
      const g1 = dz[i * q + o + 1]!;
      if (g0 === 0 && g1 === 0) continue;
      const w0 = o * p;
      const w1 = w0 + p;
      for (let j = 0; j < p; j++) da[ao + j] = da[ao + j]! + g0 * w[w0 + j]! + g1 * w[w1 + j]!;
    }
    for (; o < q; o++) {
      const g = dz[i * q + o]!;
      if (g === 0) continue;
      for (let j = 0; j < p; j++) da[ao + j] = da[ao + j]! + g * w[o * p + j]!;
    }
  }
}

/** Softmax in place on m rows of k logits; returns nothing. */
function softmaxRows(z: Float64Array, m: number, k: number): void {
  for (let i = 0; i < m; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, z[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[i * k + c]! - max);
      z[i * k + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) z[i * k + c] = z[i * k + c]! / sum;
  }
}

function validateParams(p: Required<Omit<MlpParams, 'classWeight'>>): void {
  if (p.hidden.length < 1 || p.hidden.length > 2 || p.hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new HistoError('VALIDATION', `mlp: hidden must list 1 or 2 positive layer sizes, got [${p.hidden.join(', ')}]`);
  }
  if (!(p.dropout >= 0 && p.dropout < 1)) throw new HistoError('VALIDATION', `mlp: dropout must be in [0, 1), got ${p.dropout}`);
  if (!(p.learningRate > 0)) throw new HistoError('VALIDATION', `mlp: learningRate must be > 0, got ${p.learningRate}`);
  if (!(p.weightDecay >= 0)) throw new HistoError('VALIDATION', `mlp: weightDecay must be >= 0, got ${p.weightDecay}`);
  if (!Number.isInteger(p.batchSize) || p.batchSize < 1) throw new HistoError('VALIDATION', `mlp: batchSize must be a positive integer, got ${p.batchSize}`);
  if (!Number.isInteger(p.maxEpochs) || p.maxEpochs < 1) throw new HistoError('VALIDATION', `mlp: maxEpochs must be a positive integer, got ${p.maxEpochs}`);
  if (!Number.isInteger(p.patience) || p.patience < 1) throw new HistoError('VALIDATION', `mlp: patience must be a positive integer, got ${p.patience}`);
  if (!(p.validationFraction >= 0 && p.validationFraction < 1)) throw new HistoError('VALIDATION', `mlp: validationFraction must be in [0, 1), got ${p.validationFraction}`);
}

/** Stratified split of 0..n-1: about `fraction` of each class to validation, at least one row of each class kept for training. */
function stratifiedSplit(y: Int32Array, k: number, fraction: number, rng: Rng): { train: Int32Array; validation: Int32Array } {
  const perm = permutation(y.length, rng);
  const seen = new Int32Array(k);
  const counts = new Int32Array(k);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  const train: number[] = [];
  const validation: number[] = [];
  for (let t = 0; t < perm.length; t++) {
    const i = perm[t]!;
    const c = y[i]!;
    const quota = Math.min(Math.floor(counts[c]! * fraction), counts[c]! - 1);
    if (seen[c]! < quota) validation.push(i);
    else train.push(i);
    seen[c]!++;
  }
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
}

/**
 * A 1-2 hidden layer ReLU network with dropout, trained with Adam (L2 in the gradient) on minibatches and stopped early
 * on a stratified validation split (the best epoch's weights are kept). Everything random comes
 * from `seed`: the same seed gives the same weights.
 */
export function fitMlp(
  x: Float32Array,
  n: number,
  dim: number,
  y: Int32Array,
  k: number,
  params: MlpParams = {},
  seed = 0,
  sampleWeight: Float64Array | null = null,
  run: MlpRunOptions = {},
): MlpModel {
  validateMatrix(x, n, dim, 'mlp');
  if (n < 1) throw new HistoError('VALIDATION', 'mlp: no training rows');
  if (!Number.isInteger(k) || k < 2) throw new HistoError('VALIDATION', `mlp: need at least 2 classes, got ${k}`);
  const labels = y.subarray(0, n);
  if (labels.length < n) throw new HistoError('VALIDATION', `mlp: ${y.length} labels for ${n} rows`);
  validateLabels(labels, k, 'mlp');
  const p = {
    hidden: params.hidden ?? MLP_DEFAULTS.hidden,
    dropout: params.dropout ?? MLP_DEFAULTS.dropout,
    learningRate: params.learningRate ?? MLP_DEFAULTS.learningRate,
    weightDecay: params.weightDecay ?? MLP_DEFAULTS.weightDecay,
    batchSize: params.batchSize ?? MLP_DEFAULTS.batchSize,
    maxEpochs: params.maxEpochs ?? MLP_DEFAULTS.maxEpochs,
    patience: params.patience ?? MLP_DEFAULTS.patience,
    validationFraction: params.validationFraction ?? MLP_DEFAULTS.validationFraction,
  };
  validateParams(p);
  const rng = createRng(seed);
  const initRng = rng.fork(11);
  const orderRng = rng.fork(12);
  const dropoutRng = rng.fork(13);
  const split = p.validationFraction > 0 ? stratifiedSplit(labels, k, p.validationFraction, rng.fork(14)) : { train: permutation(n, rng.fork(14)), validation: new Int32Array(0) };
  const trainRows = split.train;
  const valRows = split.validation;
  const weightsPerRow = combineWeights(rowWeights(labels, k, params.classWeight), sampleWeight, n);

  const sizes = [dim, ...p.hidden, k];
  const initial: Layer64[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l]!;
    const outputs = sizes[l + 1]!;
    // scikit-learn's initialisation, so bench:heads compares the same recipe on both sides.
    const { w, b } = glorotUniformLayer(inputs, outputs, initRng);
    initial.push({ inputs, outputs, w, b });
  }
  const L = initial.length;
  const batch = Math.min(p.batchSize, Math.max(1, trainRows.length));
  const work = trainRows.length * dim * sizes[1]!;
  const engineKind = run.engine === 'js' || run.engine === 'onnx' ? run.engine : work >= ONNX_MIN_WORK ? 'onnx' : 'js';
  const engine = engineKind === 'onnx' ? new MlpOrtEngine(sizes, initial, x, n, trainRows.length, run.threads ?? defaultThreads(work * 2)) : null;
  const layers: Layer64[] = engine ? engine.layers : initial;
  // Activations: acts[0] = input batch, acts[l] = output of layer l (post ReLU and dropout for hidden).
  const acts = sizes.map((s) => new Float64Array(batch * s));
  const pre = sizes.map((s) => new Float64Array(batch * s));
  const masks = sizes.map((s) => new Float64Array(batch * s));
  const deltas = sizes.map((s) => new Float64Array(batch * s));
  const gw = layers.map((layer) => new Float64Array(layer.w.length));
  const gb = layers.map((layer) => new Float64Array(layer.b.length));
  const mw = layers.map((layer) => new Float64Array(layer.w.length));
  const vw = layers.map((layer) => new Float64Array(layer.w.length));
  const mb = layers.map((layer) => new Float64Array(layer.b.length));
  const vb = layers.map((layer) => new Float64Array(layer.b.length));
  let step = 0;
  const keep = 1 - p.dropout;

  const forward = (rows: Int32Array, start: number, m: number, train: boolean): void => {
    const a0 = acts[0]!;
    for (let i = 0; i < m; i++) {
      const r = rows[start + i]!;
      const src = r * dim;
      for (let j = 0; j < dim; j++) a0[i * dim + j] = x[src + j]!;
    }
    for (let l = 0; l < L; l++) {
      const layer = layers[l]!;
      const out = l + 1 < L ? pre[l + 1]! : acts[L]!;
      denseForward(acts[l]!, m, layer.inputs, layer.w, layer.b, layer.outputs, out);
      if (l + 1 < L) {
        const act = acts[l + 1]!;
        const mask = masks[l + 1]!;
        const count = m * layer.outputs;
        for (let t = 0; t < count; t++) {
          const z = out[t]!;
          let factor = z > 0 ? 1 : 0;
          if (train && p.dropout > 0) factor *= dropoutRng.next() < keep ? 1 / keep : 0;
          mask[t] = factor;
          act[t] = z * factor;
        }
      }
    }
    softmaxRows(acts[L]!, m, k);
  };

  const rowScale = new Float64Array(batch);

  const evaluateLoss = (rows: Int32Array): number => {
    let loss = 0;
    let weightSum = 0;
    const chunk = engine ? FORWARD_CHUNK : batch;
    for (let start = 0; start < rows.length; start += chunk) {
      const m = Math.min(chunk, rows.length - start);
      let probs: Float32Array | Float64Array;
      if (engine) probs = engine.probabilities(layers, x, rows, start, m);
      else {
        forward(rows, start, m, false);
        probs = acts[L]!;
      }
      for (let i = 0; i < m; i++) {
        const r = rows[start + i]!;
        const w = weightsPerRow ? weightsPerRow[r]! : 1;
        loss -= w * Math.log(Math.max(probs[i * k + labels[r]!]!, 1e-12));
        weightSum += w;
      }
    }
    return weightSum > 0 ? loss / weightSum : 0;
  };

  const snapshot = (): Layer64[] => layers.map((layer) => ({ inputs: layer.inputs, outputs: layer.outputs, w: Float64Array.from(layer.w), b: Float64Array.from(layer.b) }));
  let best = snapshot();
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let epochs = 0;
  let sinceBest = 0;
  const order = Int32Array.from(trainRows);

  /** gw, gb := gradient of the batch's weighted mean loss (rowScale holds w_i / sum of batch weights). */
  const gradientsJs = (start: number, m: number): void => {
    forward(order, start, m, true);
    const probs = acts[L]!;
    const dOut = deltas[L]!;
    for (let i = 0; i < m; i++) {
      const r = order[start + i]!;
      const w = rowScale[i]!;
      for (let c = 0; c < k; c++) dOut[i * k + c] = w * (probs[i * k + c]! - (c === labels[r]! ? 1 : 0));
    }
    for (let l = L - 1; l >= 0; l--) {
      const layer = layers[l]!;
      gw[l]!.fill(0);
      gb[l]!.fill(0);
      denseWeightGrad(deltas[l + 1]!, m, layer.outputs, acts[l]!, layer.inputs, gw[l]!, gb[l]!);
      if (l > 0) {
        const d = deltas[l]!;
        denseInputGrad(deltas[l + 1]!, m, layer.outputs, layer.w, layer.inputs, d);
        const mask = masks[l]!;
        const count = m * layer.inputs;
        for (let t = 0; t < count; t++) d[t] = d[t]! * mask[t]!;
      }
    }
  };

  /** rowScale[0..m) := w_i / sum of the batch's weights, for the batch order[start .. start+m). */
  const scaleBatch = (start: number, m: number): void => {
    let weightSum = 0;
    for (let i = 0; i < m; i++) weightSum += weightsPerRow ? weightsPerRow[order[start + i]!]! : 1;
    const scale = weightSum > 0 ? 1 / weightSum : 0;
    for (let i = 0; i < m; i++) rowScale[i] = (weightsPerRow ? weightsPerRow[order[start + i]!]! : 1) * scale;
  };

  /** One epoch on ONNX Runtime: the order, row scales and dropout draws planned here, the steps on its thread. */
  const epochOnnx = (onnx: MlpOrtEngine): void => {
    const plan = onnx.plan;
    plan.order.set(order);
    for (let start = 0; start < order.length; start += batch) {
      const m = Math.min(batch, order.length - start);
      scaleBatch(start, m);
      for (let i = 0; i < m; i++) plan.rowScale[start + i] = rowScale[i]!;
      // Dropout draws batch by batch, layer by layer: the order they have always been drawn in.
      for (let l = 1; l < L; l++) {
        const h = sizes[l]!;
        const mask = plan.masks[l - 1]!;
        if (p.dropout > 0) for (let t = start * h; t < (start + m) * h; t++) mask[t] = dropoutRng.next() < keep ? 1 : 0;
        else mask.fill(1, start * h, (start + m) * h);
      }
    }
    onnx.epoch(labels, batch, step, p.learningRate, p.weightDecay, p.dropout);
    step += Math.ceil(order.length / batch);
  };

  try {
    for (let epoch = 1; epoch <= p.maxEpochs; epoch++) {
      epochs = epoch;
      for (let i = order.length - 1; i > 0; i--) {
        const j = orderRng.int(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      if (engine) epochOnnx(engine);
      else {
        for (let start = 0; start < order.length; start += batch) {
          const m = Math.min(batch, order.length - start);
          scaleBatch(start, m);
          gradientsJs(start, m);
          step++;
          const lr = p.learningRate;
          const c1 = 1 / (1 - Math.pow(ADAM_BETA1, step));
          const c2 = 1 / (1 - Math.pow(ADAM_BETA2, step));
          for (let l = 0; l < L; l++) {
            const layer = layers[l]!;
            adamUpdate(layer.w, gw[l]!, mw[l]!, vw[l]!, p.weightDecay / m, lr, c1, c2); // scikit-learn: alpha * w / batch rows
            adamUpdate(layer.b, gb[l]!, mb[l]!, vb[l]!, 0, lr, c1, c2); // no penalty on biases
          }
        }
      }
      if (valRows.length > 0) {
        const loss = evaluateLoss(valRows);
        if (loss < bestLoss - 1e-6) {
          bestLoss = loss;
          bestEpoch = epoch;
          best = snapshot();
          sinceBest = 0;
        } else if (++sinceBest >= p.patience) break;
      }
    }
  } finally {
    engine?.close();
  }
  if (valRows.length === 0) {
    best = snapshot();
    bestEpoch = epochs;
    bestLoss = NaN;
  }
  return {
    k,
    dim,
    layers: best.map((layer) => ({ inputs: layer.inputs, outputs: layer.outputs, weights: Float32Array.from(layer.w), bias: Float32Array.from(layer.b) })),
    epochs,
    bestEpoch,
    validationLoss: bestLoss,
  };
}

/** Class probabilities, n * k row-major (no dropout). */
export function predictMlp(model: MlpModel, x: Float32Array, n: number): Float32Array {
  validateMatrix(x, n, model.dim, 'mlp predict');
  const layers = model.layers.map((layer) => ({ inputs: layer.inputs, outputs: layer.outputs, w: Float64Array.from(layer.weights), b: Float64Array.from(layer.bias) }));
  const chunk = 256;
  const sizes = [model.dim, ...layers.map((l) => l.outputs)];
  const bufs = sizes.map((s) => new Float64Array(chunk * s));
  const out = new Float32Array(n * model.k);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const a0 = bufs[0]!;
    for (let t = 0; t < m * model.dim; t++) a0[t] = x[start * model.dim + t]!;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!;
      const o = bufs[l + 1]!;
      denseForward(bufs[l]!, m, layer.inputs, layer.w, layer.b, layer.outputs, o);
      if (l + 1 < layers.length) for (let t = 0; t < m * layer.outputs; t++) if (!(o[t]! > 0)) o[t] = 0;
    }
    const logits = bufs[layers.length]!;
    softmaxRows(logits, m, model.k);
    for (let t = 0; t < m * model.k; t++) out[start * model.k + t] = logits[t]!;
  }
  return out;
}
