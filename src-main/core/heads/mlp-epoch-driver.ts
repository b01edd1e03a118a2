import { ADAM_BETA1, ADAM_BETA2, ADAMW_SOURCE } from './adamw';

/** params slots of an epoch request (Float64Array). */
export const EPOCH_PARAMS = { step: 0, learningRate: 1, decay: 2, batch: 3, rows: 4, maskScale: 5 } as const;

/**
 * Source of the SyncOrt driver that runs one whole MLP training epoch on the ONNX Runtime helper
 * thread: for every minibatch, gather its rows, run the gradient graph (mlp-graph.ts), and apply
 * AdamW to the float64 master weights, with no hand-off to the calling thread in between (one per
 * epoch instead of one per minibatch, whose wake-ups and copies cost as much as the GEMMs). The
 * calling thread plans the epoch beforehand (row order, row scales, targets, dropout draws, in the
 * order it always drew them), so the weights are the bits that a per-minibatch loop gives.
 * Inputs (names as in mlp-ort.ts): x fixed [n * dim]; order, rowScale, target, mask1.. planned per
 * epoch; params (EPOCH_PARAMS); w0.., b0.. and their Adam moments mw0.., vw0.., mb0.., vb0.. shared.
 */
export function mlpEpochDriver(sizes: readonly number[]): string {
  if (!sizes.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`mlpEpochDriver: bad sizes ${sizes.join(', ')}`);
  const P = EPOCH_PARAMS;
  return `
${ADAMW_SOURCE}
const sizes = [${sizes.join(', ')}];
const L = sizes.length - 1;
const dim = sizes[0];
const k = sizes[L];
const x = inputs.x;
const params = inputs.params;
const range = (count, f) => Array.from({ length: count }, (_, i) => f(i));
const w = range(L, (l) => inputs['w' + l]);
const b = range(L, (l) => inputs['b' + l]);
const mw = range(L, (l) => inputs['mw' + l]);
const vw = range(L, (l) => inputs['vw' + l]);
const mb = range(L, (l) => inputs['mb' + l]);
const vb = range(L, (l) => inputs['vb' + l]);
// Private buffers: ONNX Runtime reads no shared memory.
const rows = inputs.order.length;
const rowScale = new Float32Array(rows);
const target = new Float32Array(rows * k);
const wf = range(L, (l) => new Float32Array(w[l].length));
const bf = range(L, (l) => new Float32Array(b[l].length));
let xb = null;
let masks = [];
return async () => {
  const batch = params[${P.batch}];
  const count = params[${P.rows}];
  const lr = params[${P.learningRate}];
  const decay = params[${P.decay}];
  const maskScale = params[${P.maskScale}];
  let step = params[${P.step}];
  if (!xb || xb.length < batch * dim) {
    xb = new Float32Array(batch * dim);
    masks = range(L - 1, (i) => new Float32Array(batch * sizes[i + 1]));
  }
  // The float32 copies the GEMMs read; from then on adamUpdateInto keeps them current.
  for (let l = 0; l < L; l++) {
    wf[l].set(w[l]);
    bf[l].set(b[l]);
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
    const feeds = {
      x: new ort.Tensor('float32', xb.subarray(0, m * dim), [m, dim]),
      target: new ort.Tensor('float32', target.subarray(start * k, (start + m) * k), [m, k]),
      rowScale: new ort.Tensor('float32', rowScale.subarray(start, start + m), [m, 1]),
    };
    for (let l = 1; l < L; l++) {
      const h = sizes[l];
      const plan = inputs['mask' + l];
      const mask = masks[l - 1];
      for (let t = 0; t < m * h; t++) mask[t] = plan[start * h + t] ? maskScale : 0;
      feeds['mask' + l] = new ort.Tensor('float32', mask.subarray(0, m * h), [m, h]);
    }
    for (let l = 0; l < L; l++) {
      feeds['w' + l] = new ort.Tensor('float32', wf[l], [sizes[l + 1], sizes[l]]);
      feeds['b' + l] = new ort.Tensor('float32', bf[l], [sizes[l + 1]]);
    }
    const result = await session.run(feeds);
    step++;
    const c1 = 1 / (1 - Math.pow(${ADAM_BETA1}, step));
    const c2 = 1 / (1 - Math.pow(${ADAM_BETA2}, step));
    for (let l = 0; l < L; l++) {
      adamUpdateInto(w[l], result['gw' + l].data, mw[l], vw[l], decay, lr, c1, c2, wf[l]);
      adamUpdateInto(b[l], result['gb' + l].data, mb[l], vb[l], 1, lr, c1, c2, bf[l]);
    }
  }
};`;
}
