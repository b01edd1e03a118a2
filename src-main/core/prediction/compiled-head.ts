import { predictHeadProba, type Head } from '../heads/head';

/** Applies a head to `n` raw embeddings (n x dim): n x classes probabilities. */
export type HeadApplier = (x: Float32Array, n: number) => Float32Array;

/**
 * A head made ready for millions of rows. A logistic regression whose preprocessing is affine per
 * dimension (none, or a standardiser) is one matrix product on raw vectors: the standardiser folds
 * into the weights (w' = w / std, b' = b - w' . mean), which saves a full copy of the input per
 * call. Other heads (l2 preprocessing, MLP, kNN) run as trained.
 */
export function compileHead(head: Head): HeadApplier {
  if (head.kind !== 'logreg' || head.preprocess === 'l2') return (x, n) => predictHeadProba(head, x, n);
  const { k, dim } = head.model;
  const weights = Float32Array.from(head.model.weights);
  const bias = Float64Array.from(head.model.bias);
  const standardizer = head.standardizer;
  if (standardizer) {
    for (let c = 0; c < k; c++) {
      let shift = 0;
      for (let j = 0; j < dim; j++) {
        const w = head.model.weights[c * dim + j]! * standardizer.invStd[j]!;
        weights[c * dim + j] = w;
        shift += w * standardizer.mean[j]!;
      }
      bias[c] = bias[c]! - shift;
    }
  }
  return (x, n) => {
    if (x.length < n * dim) throw new Error(`predict: ${x.length} values for ${n} rows of dim ${dim} (does the backbone match the head?)`);
    return softmaxLogits(x, n, dim, weights, bias, k);
  };
}

/** softmax(W x + b) per row, four accumulators per dot product. */
function softmaxLogits(x: Float32Array, n: number, dim: number, weights: Float32Array, bias: Float64Array, k: number): Float32Array {
  const out = new Float32Array(n * k);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const w = c * dim;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let j = 0;
      for (; j + 3 < dim; j += 4) {
        a0 += weights[w + j]! * x[row + j]!;
        a1 += weights[w + j + 1]! * x[row + j + 1]!;
        a2 += weights[w + j + 2]! * x[row + j + 2]!;
        a3 += weights[w + j + 3]! * x[row + j + 3]!;
      }
      for (; j < dim; j++) a0 += weights[w + j]! * x[row + j]!;
      const v = a0 + a1 + a2 + a3 + bias[c]!;
      z[c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      z[c] = Math.exp(z[c]! - max);
      sum += z[c]!;
    }
    for (let c = 0; c < k; c++) out[i * k + c] = z[c]! / sum;
  }
  return out;
}
