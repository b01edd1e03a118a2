/** AdamW's constants, shared by the float64 loop below (JavaScript engine) and the graph of mlp-graph.ts (onnx engine). */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPS = 1e-8;

/** One AdamW step in place; c1, c2 are the bias corrections 1 / (1 - beta^step); decay 1 for biases (times 1 is exact). */
export function adamUpdate(w: Float64Array, g: Float64Array, m1: Float64Array, v1: Float64Array, decay: number, lr: number, c1: number, c2: number): void {
  for (let t = 0; t < w.length; t++) {
    const gt = g[t]!;
    const mt = ADAM_BETA1 * m1[t]! + (1 - ADAM_BETA1) * gt;
    const vt = ADAM_BETA2 * v1[t]! + (1 - ADAM_BETA2) * gt * gt;
    m1[t] = mt;
    v1[t] = vt;
    w[t] = w[t]! * decay - (lr * mt * c1) / (Math.sqrt(vt * c2) + ADAM_EPS);
  }
}
