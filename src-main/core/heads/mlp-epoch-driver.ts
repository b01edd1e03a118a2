import { ADAM_BETA1, ADAM_BETA2 } from './adam';
import { ADAM_WASM_SOURCE } from './adam-wasm';

/** params slots of an epoch request (Float64Array). */
export const EPOCH_PARAMS = { step: 0, learningRate: 1, alpha: 2, batch: 3, rows: 4, dropout: 5 } as const;
/** Every minibatch's gradient is the sum of this many row shards, whatever the number of helpers. */
export const GRADIENT_SHARDS = 2;

/**
 * Source of the SyncOrt driver that runs MLP training epochs on `helpers` ONNX Runtime helper
 * threads together, data-parallel: each minibatch is cut into GRADIENT_SHARDS row shards, helper h
 * computes the gradients of shards h, h + helpers, ... (the gradient graph of mlp-graph.ts, one
 * intra-op thread), all meet at a barrier, then each applies float64 Adam (L2 in the gradient; the
 * WebAssembly kernel of adam-wasm.ts) to its own range of every tensor from the shard sums (added
 * in shard order) and meets the others again. The shards
 * and the order of every sum are fixed, so one helper or two give the same bits; the calling thread
 * plans the epoch (row order, row scales, targets, dropout draws) and hands over once per epoch.
 * All inputs are shared arrays (mlp-ort.ts names them): x [n * dim]; the plan: order, rowScale,
 * target, mask1..; params (EPOCH_PARAMS); barrier (Int32 [3]); per tensor p of w0, b0, w1, ...:
 * p (float64 master), f_p (float32 copy the GEMMs read), m_p, v_p (moments), g0_p, g1_p (shard sums).
 */
export function mlpEpochDriver(sizes: readonly number[], helper: number, helpers: number): string {
  if (!sizes.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`mlpEpochDriver: bad sizes ${sizes.join(', ')}`);
  if (!(Number.isInteger(helper) && Number.isInteger(helpers) && helper >= 0 && helper < helpers && helpers <= GRADIENT_SHARDS)) throw new Error(`mlpEpochDriver: bad helper ${helper} of ${helpers}`);
  const P = EPOCH_PARAMS;
  return `
${ADAM_WASM_SOURCE}
const sizes = [${sizes.join(', ')}];
const L = sizes.length - 1;
const dim = sizes[0];
const k = sizes[L];
const HELPER = ${helper};
const HELPERS = ${helpers};
const SHARDS = ${GRADIENT_SHARDS};
const x = inputs.x;
const params = inputs.params;
const bar = inputs.barrier;
const tensors = [];
for (let l = 0; l < L; l++) {
  tensors.push({ name: 'w' + l, shape: [sizes[l + 1], sizes[l]] }, { name: 'b' + l, shape: [sizes[l + 1]] });
}
for (const t of tensors) {
  t.master = inputs[t.name];
  t.f32 = inputs['f_' + t.name];
  t.m = inputs['m_' + t.name];
  t.v = inputs['v_' + t.name];
  t.g = Array.from({ length: SHARDS }, (_, s) => inputs['g' + s + '_' + t.name]);
  t.lo = Math.floor((t.master.length * HELPER) / HELPERS);
  t.hi = Math.floor((t.master.length * (HELPER + 1)) / HELPERS);
  t.own = new Float32Array(t.master.length); // private: ONNX Runtime reads no shared memory
  t.penalised = t.name[0] === 'w'; // biases carry no L2
}
const optimiser = wasmAdam(tensors);
const mine = [];
for (let s = HELPER; s < SHARDS; s += HELPERS) mine.push(s);
// bar[0] arrivals, bar[1] generation, bar[2] set when a helper failed (the others stop waiting).
function barrier() {
  if (HELPERS === 1) return;
  const generation = Atomics.load(bar, 1);
  if (Atomics.add(bar, 0, 1) === HELPERS - 1) {
    Atomics.store(bar, 0, 0);
    Atomics.add(bar, 1, 1);
    Atomics.notify(bar, 1);
    return;
  }
  const started = Date.now();
  while (Atomics.load(bar, 1) === generation) {
    if (Atomics.load(bar, 2) !== 0) throw new Error('another mlp helper failed');
    Atomics.wait(bar, 1, generation, 1000);
    if (Date.now() - started > 600000) throw new Error('mlp helpers stopped meeting');
  }
}
let xb = null;
let scale = null;
let target = null;
let masks = [];
// The per-step work lives in small functions, not in epoch's loop: an async function resumed after
// each await runs unoptimised code until it is called again, so a loop body inside it stayed slow
// for the first epochs of every fit (3x the steady step time).
/** The gradient graph's feeds for rows [from, from + rows) of the epoch's order. */
function shardFeeds(from, rows, dropout, maskScale) {
  const order = inputs.order;
  for (let i = 0; i < rows; i++) {
    const src = order[from + i] * dim;
    xb.set(x.subarray(src, src + dim), i * dim);
  }
  scale.set(inputs.rowScale.subarray(from, from + rows));
  target.set(inputs.target.subarray(from * k, (from + rows) * k));
  const feeds = {
    x: new ort.Tensor('float32', xb.subarray(0, rows * dim), [rows, dim]),
    target: new ort.Tensor('float32', target.subarray(0, rows * k), [rows, k]),
    rowScale: new ort.Tensor('float32', scale.subarray(0, rows), [rows, 1]),
  };
  for (let l = 1; l < L; l++) {
    const h = sizes[l];
    const mask = masks[l - 1];
    if (dropout) {
      const plan = inputs['mask' + l];
      for (let i = 0; i < rows * h; i++) mask[i] = plan[from * h + i] ? maskScale : 0;
    } else mask.fill(1, 0, rows * h);
    feeds['mask' + l] = new ort.Tensor('float32', mask.subarray(0, rows * h), [rows, h]);
  }
  for (const t of tensors) feeds[t.name] = new ort.Tensor('float32', t.own, t.shape);
  return feeds;
}
/** The float32 weights of this step, private: ONNX Runtime reads no shared memory. */
function takeWeights() {
  for (const t of tensors) t.own.set(t.f32);
}
function keepGradients(result, s) {
  for (const t of tensors) t.g[s].set(result['g' + t.name].data);
}
async function epoch() {
  const batch = params[${P.batch}];
  const count = params[${P.rows}];
  const lr = params[${P.learningRate}];
  const alpha = params[${P.alpha}];
  const dropoutRate = params[${P.dropout}];
  const dropout = dropoutRate > 0;
  const maskScale = 1 / (1 - dropoutRate); // inverted dropout: kept units scaled up
  let step = params[${P.step}];
  const shardRows = Math.ceil(batch / SHARDS);
  if (!xb || xb.length < shardRows * dim) {
    xb = new Float32Array(shardRows * dim);
    scale = new Float32Array(shardRows);
    target = new Float32Array(shardRows * k);
    masks = Array.from({ length: L - 1 }, (_, i) => new Float32Array(shardRows * sizes[i + 1]));
  }
  optimiser.load();
  barrier();
  for (let start = 0; start < count; start += batch) {
    const m = Math.min(batch, count - start);
    const per = Math.ceil(m / SHARDS);
    takeWeights();
    for (const s of mine) {
      const from = start + Math.min(m, s * per);
      const rows = Math.min(m, (s + 1) * per) - Math.min(m, s * per);
      if (rows === 0) {
        for (const t of tensors) t.g[s].fill(0);
        continue;
      }
      const feeds = shardFeeds(from, rows, dropout, maskScale);
      keepGradients(await session.run(feeds), s);
    }
    barrier();
    step++;
    const l2 = alpha / m; // scikit-learn: alpha * w / batch rows, beside the batch's mean-loss gradient
    const c1 = 1 / (1 - Math.pow(${ADAM_BETA1}, step));
    const c2 = 1 / (1 - Math.pow(${ADAM_BETA2}, step));
    optimiser.step(l2, lr, c1, c2);
    barrier();
  }
  optimiser.store();
}
return async () => {
  try {
    await epoch();
  } catch (err) {
    Atomics.store(bar, 2, 1);
    Atomics.notify(bar, 1);
    throw err;
  }
};`;
}
