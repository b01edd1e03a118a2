import { predictHeadProba, type Head } from '../heads/head';
import { predictLogisticRegression } from '../heads/logistic-regression';

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
  if (!standardizer) return (x, n) => predictLogisticRegression(head.model, x, n);
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
  const folded = { ...head.model, weights, bias };
  return (x, n) => predictLogisticRegression(folded, x, n);
}
