import type { Rng } from './random';

/**
 * scikit-learn MLPClassifier's initial layer (ReLU network): weights and biases uniform in
 * [-b, b), b = sqrt(6 / (inputs + outputs)) (Glorot; scikit-learn uses factor 2 only for a logistic
 * hidden activation, which this MLP has not). Weights are drawn first, row o = unit o, then biases,
 * all from `rng`, so a seed gives the same layer.
 */
export function glorotUniformLayer(inputs: number, outputs: number, rng: Rng): { w: Float64Array; b: Float64Array } {
  const bound = Math.sqrt(6 / (inputs + outputs));
  const w = new Float64Array(outputs * inputs);
  for (let t = 0; t < w.length; t++) w[t] = bound * (2 * rng.next() - 1);
  const b = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) b[o] = bound * (2 * rng.next() - 1);
  return { w, b };
}
