import { ADAM_BETA1, ADAM_BETA2 } from './adamw';

/** params slots of an epoch request (Float64Array). */
export const EPOCH_PARAMS = { step: 0, learningRate: 1, decay: 2, batch: 3, rows: 4, maskScale: 5 } as const;

/**
 * Source of the SyncOrt driver that runs one whole MLP training epoch on the ONNX Runtime helper
 * thread: for every minibatch, gather its rows and run the training-step graph (mlp-graph.ts,
 * gradient and AdamW in one run), feeding each step's new weights and moments to the next, with no
 * hand-off to the calling thread in between (one per epoch instead of one per minibatch, whose
 * wake-ups and copies cost as much as the GEMMs). The calling thread plans the epoch beforehand
 * (row order, row scales, targets, dropout draws), so the thread count changes no bit.
 * Inputs (names as in mlp-ort.ts): x fixed [n * dim]; order, rowScale, target, mask1.. planned per
 * epoch; params (EPOCH_PARAMS); w0.., b0.. shared float64, read at the first epoch and written
 * after every epoch. The optimiser state stays on the helper between epochs.
 */
export function mlpEpochDriver(sizes: readonly number[]): string {
  if (!sizes.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`mlpEpochDriver: bad sizes ${sizes.join(', ')}`);
  const P = EPOCH_PARAMS;
  return `
const sizes = [${sizes.join(', ')}];
const L = sizes.length - 1;
const dim = sizes[0];
const k = sizes[L];
const x = inputs.x;
const params = inputs.params;
const names = [];
const state = {};
const shapes = {};
for (let l = 0; l < L; l++) {
  for (const [name, shape] of [['w' + l, [sizes[l + 1], sizes[l]]], ['b' + l, [sizes[l + 1]]]]) {
    names.push(name);
    shapes[name] = shape;
  }
}
let started = false;
// Private buffers: ONNX Runtime reads no shared memory.
const rowScale = new Float32Array(inputs.order.length);
const target = new Float32Array(inputs.order.length * k);
const scalar = (v) => new ort.Tensor('float32', Float32Array.of(v), []);
let xb = null;
let masks = [];
return async () => {
  const batch = params[${P.batch}];
  const count = params[${P.rows}];
  const lr = params[${P.learningRate}];
  const decay = scalar(params[${P.decay}]);
  const maskScale = params[${P.maskScale}];
  let step = params[${P.step}];
  if (!xb || xb.length < batch * dim) {
    xb = new Float32Array(batch * dim);
    masks = Array.from({ length: L - 1 }, (_, i) => new Float32Array(batch * sizes[i + 1]));
  }
  if (!started) {
    // The caller writes the initial weights after the session opens: read them at the first epoch.
    started = true;
    for (const name of names) {
      state[name] = Float32Array.from(inputs[name]);
      state['m' + name] = new Float32Array(inputs[name].length);
      state['v' + name] = new Float32Array(inputs[name].length);
    }
  }
  rowScale.set(inputs.rowScale);
  target.set(inputs.target);
  const order = inputs.order;
  for (let start = 0; start < count; start += batch) {
    const m = Math.min(batch, count - start);
    for (let i = 0; i < m; i++) {
      const src = order[start + i] * dim;
      xb.set(x.subarray(src, src + dim), i * dim);
    }
    step++;
    const feeds = {
      x: new ort.Tensor('float32', xb.subarray(0, m * dim), [m, dim]),
      target: new ort.Tensor('float32', target.subarray(start * k, (start + m) * k), [m, k]),
      rowScale: new ort.Tensor('float32', rowScale.subarray(start, start + m), [m, 1]),
      decay,
      lrc1: scalar(lr / (1 - Math.pow(${ADAM_BETA1}, step))),
      c2: scalar(1 / (1 - Math.pow(${ADAM_BETA2}, step))),
    };
    for (let l = 1; l < L; l++) {
      const h = sizes[l];
      const plan = inputs['mask' + l];
      const mask = masks[l - 1];
      for (let t = 0; t < m * h; t++) mask[t] = plan[start * h + t] ? maskScale : 0;
      feeds['mask' + l] = new ort.Tensor('float32', mask.subarray(0, m * h), [m, h]);
    }
    for (const name in state) feeds[name] = new ort.Tensor('float32', state[name], shapes[name.replace(/^[mv]/, '')]);
    const result = await session.run(feeds);
    for (const name in state) state[name].set(result['n' + name].data);
  }
  for (const name of names) inputs[name].set(state[name]);
};`;
}
