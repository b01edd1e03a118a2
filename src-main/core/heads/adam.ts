/**
 * Adam with an L2 penalty in the gradient, as source: the MLP's float64 optimiser on the calling
 * thread for the JavaScript engine, and the reference that the ONNX engine's WebAssembly kernel
 * (adam-wasm.ts, on the helper threads) must match bit for bit. Only constants in it. The penalty is scikit-learn MLPClassifier's (alpha / batch rows
 * times w added to the batch's mean-loss gradient, then Adam), not AdamW's decoupled decay, so
 * the same alpha means the same thing on both sides of bench:heads.
 *   adamRange(w, m1, v1, g0, g1, out, lo, hi, l2, lr, c1, c2): for t in [lo, hi), gradient
 *   g0[t] + g1[t] (two shards' partial sums, added in that order; g1 null for one) + l2 * w[t],
 *   w, m1, v1 updated in place, out[t] := the new w (out null for none). c1, c2 are the bias
 *   corrections 1 / (1 - beta^step); l2 0 for biases (plus 0 is exact).
 */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;

export const ADAM_L2_SOURCE = `
function adamRange(w, m1, v1, g0, g1, out, lo, hi, l2, lr, c1, c2) {
  for (let t = lo; t < hi; t++) {
    const gt = (g1 === null ? g0[t] : g0[t] + g1[t]) + l2 * w[t];
    const mt = ${ADAM_BETA1} * m1[t] + (1 - ${ADAM_BETA1}) * gt;
    const vt = ${ADAM_BETA2} * v1[t] + (1 - ${ADAM_BETA2}) * gt * gt;
    m1[t] = mt;
    v1[t] = vt;
    const wt = w[t] - (lr * mt * c1) / (Math.sqrt(vt * c2) + 1e-8);
    w[t] = wt;
    if (out !== null) out[t] = wt;
  }
}`;

type Vector = Float64Array | Float32Array;
type AdamRange = (w: Float64Array, m1: Float64Array, v1: Float64Array, g0: Vector, g1: Vector | null, out: Float32Array | null, lo: number, hi: number, l2: number, lr: number, c1: number, c2: number) => void;
const adamRange = new Function(`${ADAM_L2_SOURCE}\nreturn adamRange;`)() as AdamRange;

/** One Adam step in place over the whole of w, l2 * w added to the gradient g (JavaScript engine). */
export function adamUpdate(w: Float64Array, g: Float64Array, m1: Float64Array, v1: Float64Array, l2: number, lr: number, c1: number, c2: number): void {
  adamRange(w, m1, v1, g, null, null, 0, w.length, l2, lr, c1, c2);
}
