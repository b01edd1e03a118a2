/**
 * One AdamW step, as source: the MLP's float64 optimiser runs on the calling thread for the
 * JavaScript engine and on the ONNX Runtime helper thread for the onnx engine (mlp-epoch-driver.ts),
 * and both must compute the same bits. Only constants go into the source.
 *   adamUpdate(w, g, m1, v1, decay, lr, c1, c2): w, m1, v1 updated in place from gradient g;
 *   c1, c2 are the bias corrections 1 / (1 - beta^step); decay 1 for biases (times 1 is exact).
 *   adamUpdateInto(..., out): the same, and out := the new w rounded to float32 (the next step's
 *   GEMM input) in the same pass, instead of a second pass over w.
 */
export const ADAMW_SOURCE = `
function adamUpdate(w, g, m1, v1, decay, lr, c1, c2) {
  for (let t = 0; t < w.length; t++) {
    const gt = g[t];
    const mt = 0.9 * m1[t] + (1 - 0.9) * gt;
    const vt = 0.999 * v1[t] + (1 - 0.999) * gt * gt;
    m1[t] = mt;
    v1[t] = vt;
    w[t] = w[t] * decay - (lr * mt * c1) / (Math.sqrt(vt * c2) + 1e-8);
  }
}
function adamUpdateInto(w, g, m1, v1, decay, lr, c1, c2, out) {
  for (let t = 0; t < w.length; t++) {
    const gt = g[t];
    const mt = 0.9 * m1[t] + (1 - 0.9) * gt;
    const vt = 0.999 * v1[t] + (1 - 0.999) * gt * gt;
    m1[t] = mt;
    v1[t] = vt;
    const wt = w[t] * decay - (lr * mt * c1) / (Math.sqrt(vt * c2) + 1e-8);
    w[t] = wt;
    out[t] = wt;
  }
}`;

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;

type Vector = Float64Array | Float32Array;
export type AdamUpdate = (w: Float64Array, g: Vector, m1: Float64Array, v1: Float64Array, decay: number, lr: number, c1: number, c2: number) => void;

export const adamUpdate = new Function(`${ADAMW_SOURCE}\nreturn adamUpdate;`)() as AdamUpdate;
