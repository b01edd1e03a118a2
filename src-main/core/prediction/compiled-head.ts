import { predictHeadProba, type Head } from '../heads/head';
import { predictLogisticRegression, type LogRegModel } from '../heads/logistic-regression';
import { simdKernels } from '../embeddings/simd-kernels';

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
  const standardizer = head.standardizer;
  if (!standardizer) return linearApplier(head.model);
  const { k, dim } = head.model;
  const weights = new Float32Array(k * dim);
  const bias = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let shift = 0;
    for (let j = 0; j < dim; j++) {
      const w = head.model.weights[c * dim + j]! * standardizer.invStd[j]!;
      weights[c * dim + j] = w;
      shift += w * standardizer.mean[j]!;
    }
    bias[c] = head.model.bias[c]! - shift;
  }
  return linearApplier({ ...head.model, weights, bias });
}

/**
 * Softmax of x W^T + b. The products run in the WebAssembly SIMD kernel where the dimension
 * allows (a multiple of 16: every common backbone), about 5x the scalar loop.
 */
function linearApplier(model: LogRegModel): HeadApplier {
  const kernels = model.dim % 16 === 0 ? simdKernels() : null;
  if (!kernels) return (x, n) => predictLogisticRegression(model, x, n);
  const { k, dim, weights, bias } = model;
  return (x, n) => {
    if (x.length < n * dim) throw new Error(`logistic regression predict: ${x.length} values, expected ${n} x ${dim}`);
    const out = kernels.logits(x, n, dim, weights, k);
    const z = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        z[c] = out[i * k + c]! + bias[c]!;
        if (z[c]! > max) max = z[c]!;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) {
        z[c] = Math.exp(z[c]! - max);
        sum += z[c]!;
      }
      for (let c = 0; c < k; c++) out[i * k + c] = z[c]! / sum;
    }
    return out;
  };
}
