import { GraphBuilder } from '../onnx/graph-builder';

/**
 * MLAS cuts the summed dimension K of an untransposed-A GEMM into blocks of 128 << j, where j grows
 * as the columns each thread gets shrink (sgemm.cpp, MlasSgemmOperation), so with K > 128 the
 * thread count changes the rounding. Those products here sum at most this many terms per GEMM
 * (one block, whatever the split) and chain longer sums in a fixed order. Transposed-A products
 * (the weight gradients, summed over rows) always use blocks of 128 and need no care.
 */
const MAX_GEMM_SUM = 128;

/** Splits 0..K into pieces of at most MAX_GEMM_SUM. */
function pieces(K: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < K; s += MAX_GEMM_SUM) out.push([s, Math.min(K, s + MAX_GEMM_SUM)]);
  return out;
}

/** a [m, K] times w [N, K] transposed, plus b: Gemm calls of at most MAX_GEMM_SUM terms, added left to right. */
function linear(g: GraphBuilder, a: string, w: string, b: string, K: number, oneThread = false): string {
  if (K <= MAX_GEMM_SUM || oneThread) return g.op('Gemm', [a, w, b], { transB: 1 });
  const axis = g.int64s('axis_1', [1]);
  let sum = '';
  for (const [s, e] of pieces(K)) {
    const starts = g.int64s('start', [s]);
    const ends = g.int64s('end', [e]);
    const part = g.op('Gemm', [g.op('Slice', [a, starts, ends, axis]), g.op('Slice', [w, starts, ends, axis]), ...(sum ? [] : [b])], { transB: 1 });
    sum = sum ? g.op('Add', [sum, part]) : part;
  }
  return sum;
}

/** d [m, K] times w [K, N], in pieces of at most MAX_GEMM_SUM terms. */
function backThrough(g: GraphBuilder, d: string, w: string, K: number, oneThread = false): string {
  if (K <= MAX_GEMM_SUM || oneThread) return g.op('MatMul', [d, w]);
  let sum = '';
  for (const [s, e] of pieces(K)) {
    const starts = g.int64s('start', [s]);
    const ends = g.int64s('end', [e]);
    const part = g.op('MatMul', [g.op('Slice', [d, starts, ends, g.int64s('axis_1', [1])]), g.op('Slice', [w, starts, ends, g.int64s('axis_0', [0])])]);
    sum = sum ? g.op('Add', [sum, part]) : part;
  }
  return sum;
}

/**
 * The MLP's minibatch step as ONNX graphs, so that ONNX Runtime's GEMMs (MLAS, all cores) do the
 * arithmetic. ONNX Runtime for Node has no training API, hence the backward pass written out:
 *   forward   z_l = a_{l-1} W_l^T + b_l,  a_l = relu(z_l) * mask_l (dropout factors),  p = softmax(z_L)
 *   output    d_L = p * rowScale - target          (target = one-hot * rowScale: w_i / sum of batch weights)
 *   backward  gW_l = d_l^T a_{l-1},  gb_l = sum_i d_l,  d_{l-1} = (d_l W_l) * mask_{l-1} * [z_{l-1} > 0]
 * oneThread: the graph will only run on one intra-op thread, where MLAS blocks every sum alike, so
 * the products need not be cut into pieces. sizes = [dim, ...hidden, k]. Inputs: x [m, dim], target [m, k], rowScale [m, 1], mask1.. [m, hidden],
 * w0.. [out, in], b0.. [out]; outputs gw0.., gb0.. in the layers' shapes.
 */
export function mlpGradientGraph(sizes: readonly number[], oneThread = false): Uint8Array {
  const g = new GraphBuilder('mlp-gradient');
  const L = sizes.length - 1;
  const k = sizes[L]!;
  let a = g.input('x', ['m', sizes[0]!]);
  const target = g.input('target', ['m', k]);
  const rowScale = g.input('rowScale', ['m', 1]);
  const masks: string[] = [];
  for (let l = 1; l < L; l++) masks[l] = g.input(`mask${l}`, ['m', sizes[l]!]);
  const w: string[] = [];
  const b: string[] = [];
  for (let l = 0; l < L; l++) {
    w.push(g.input(`w${l}`, [sizes[l + 1]!, sizes[l]!]));
    b.push(g.input(`b${l}`, [sizes[l + 1]!]));
  }
  const acts = [a];
  const pre: string[] = [];
  for (let l = 0; l < L; l++) {
    const z = linear(g, a, w[l]!, b[l]!, sizes[l]!, oneThread);
    pre.push(z);
    if (l + 1 < L) {
      a = g.op('Mul', [g.op('Relu', [z]), masks[l + 1]!]);
      acts.push(a);
    }
  }
  const p = g.op('Softmax', [pre[L - 1]!], { axis: 1 });
  let d = g.op('Sub', [g.op('Mul', [p, rowScale]), target]);
  const zero = g.scalar('zero', 0);
  const rows = g.int64s('rows_axis', [0]);
  for (let l = L - 1; l >= 0; l--) {
    g.output(g.op('Gemm', [d, acts[l]!], { transA: 1 }, `gw${l}`), [sizes[l + 1]!, sizes[l]!]);
    g.output(g.op('ReduceSum', [d, rows], { keepdims: 0 }, `gb${l}`), [sizes[l + 1]!]);
    if (l > 0) {
      const gate = g.op('Where', [g.op('Greater', [pre[l - 1]!, zero]), masks[l]!, zero]);
      d = g.op('Mul', [backThrough(g, d, w[l]!, sizes[l + 1]!, oneThread), gate]);
    }
  }
  return g.toBytes();
}

/** Class probabilities without dropout: x [m, dim], w0.., b0.. in, probs [m, k] out. */
export function mlpForwardGraph(sizes: readonly number[]): Uint8Array {
  const g = new GraphBuilder('mlp-forward');
  const L = sizes.length - 1;
  let a = g.input('x', ['m', sizes[0]!]);
  for (let l = 0; l < L; l++) {
    const z = linear(g, a, g.input(`w${l}`, [sizes[l + 1]!, sizes[l]!]), g.input(`b${l}`, [sizes[l + 1]!]), sizes[l]!);
    a = l + 1 < L ? g.op('Relu', [z]) : z;
  }
  g.output(g.op('Softmax', [a], { axis: 1 }, 'probs'), ['m', sizes[L]!]);
  return g.toBytes();
}
