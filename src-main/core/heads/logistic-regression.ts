import { HistoError } from '../errors';
import { classCounts, validateLabels, validateMatrix } from './dataset';
import { minimizeLbfgs } from './lbfgs';
import { createOnnxLossEvaluator } from './logreg-onnx';
import { createLossEvaluator, defaultThreads, type LossEvaluator } from './parallel-loss';

/** 'balanced' weighs class c by n / (k * count_c), as scikit-learn does; an array gives one weight per class. */
export type ClassWeight = 'balanced' | 'none' | readonly number[];

export interface LogRegParams {
  /**
   * L2 strength on the summed loss: minimises sum_i w_i * CE_i + l2/2 * ||W||^2 (bias free),
   * i.e. scikit-learn's C = 1 / l2. Default 1.
   */
  l2?: number;
  classWeight?: ClassWeight;
  /** L-BFGS iterations at most. Default 200. */
  maxIter?: number;
  /** Converged when max |gradient of the mean objective| <= tol (scikit-learn's meaning). Default 1e-4. */
  tol?: number;
  /** Threads for the data pass (default: all cores for large problems, see parallel-loss.ts). Results do not depend on it. */
  threads?: number;
  /**
   * 'onnx': the data pass as ONNX Runtime GEMMs (logreg-onnx.ts); 'js': the sharded loops of
   * parallel-loss.ts; 'auto' (default): onnx for large problems. Not stored with the head.
   */
  engine?: 'auto' | 'js' | 'onnx';
}

/** Multiply-adds per loss evaluation above which ONNX Runtime beats the JavaScript loops (its helper thread starts once per process, see sync-ort.ts). */
const ONNX_MIN_WORK = 1e7;
const FLOAT32_MIN_TOL = 1e-5;

export interface LogRegModel {
  k: number;
  dim: number;
  /** k * dim, row c = class c. Binary problems are solved as one logistic vector w and stored as (-w/2, w/2). */
  weights: Float32Array;
  bias: Float32Array;
  iterations: number;
  converged: boolean;
}

export const LOGREG_DEFAULTS = { l2: 1, classWeight: 'none' as ClassWeight, maxIter: 200, tol: 1e-4 };

/** Per-row weights from a class-weight option, or null when all rows weigh 1. */
export function rowWeights(y: Int32Array, k: number, classWeight: ClassWeight | undefined): Float64Array | null {
  if (!classWeight || classWeight === 'none') return null;
  const perClass = new Float64Array(k);
  if (classWeight === 'balanced') {
    const counts = classCounts(y, k);
    for (let c = 0; c < k; c++) perClass[c] = counts[c]! > 0 ? y.length / (k * counts[c]!) : 0;
  } else {
    if (classWeight.length !== k) throw new HistoError('VALIDATION', `classWeight: ${classWeight.length} weights for ${k} classes`);
    for (let c = 0; c < k; c++) {
      const w = classWeight[c]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new HistoError('VALIDATION', `classWeight: weight ${w} of class ${c} must be a finite number >= 0`);
      perClass[c] = w;
    }
  }
  const weights = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) weights[i] = perClass[y[i]!]!;
  return weights;
}

/** Class weights times per-row sample weights (synthetic rows may weigh less); null when both are. */
export function combineWeights(classWeights: Float64Array | null, sampleWeight: Float64Array | null, n: number): Float64Array | null {
  if (!sampleWeight) return classWeights;
  if (sampleWeight.length !== n) throw new HistoError('VALIDATION', `sample weights: ${sampleWeight.length} weights for ${n} rows`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (classWeights ? classWeights[i]! : 1) * sampleWeight[i]!;
  return out;
}

/**
 * The mean weighted cross-entropy plus the L2 term, and its gradient; the data pass is the loss
 * evaluator's (parallel-loss.ts). Scratch is allocated once per fit, nothing per iteration.
 * `outputs` is 1 for the binary (sigmoid) form, k for softmax.
 */
function makeObjective(
  evaluator: LossEvaluator,
  n: number,
  dim: number,
  outputs: number,
  weights: Float64Array | null,
  l2: number,
): (theta: Float64Array, grad: Float64Array) => number {
  let weightSum = n;
  if (weights) {
    weightSum = 0;
    for (let i = 0; i < n; i++) weightSum += weights[i]!;
  }
  if (!(weightSum > 0)) throw new HistoError('VALIDATION', 'logistic regression: all class weights are zero');
  const invSum = 1 / weightSum;
  const l2Scaled = l2 * invSum;
  const biasOffset = outputs * dim;
  return (theta: Float64Array, grad: Float64Array): number => {
    const loss = evaluator.evaluate(theta, grad);
    let penalty = 0;
    for (let p = 0; p < biasOffset; p++) {
      const t = theta[p]!;
      penalty += t * t;
      grad[p] = grad[p]! * invSum + l2Scaled * t;
    }
    for (let c = 0; c < outputs; c++) grad[biasOffset + c] = grad[biasOffset + c]! * invSum;
    return loss * invSum + 0.5 * l2Scaled * penalty;
  };
}

/** Multinomial (softmax) logistic regression with an L2 penalty, solved with L-BFGS from zero. */
export function fitLogisticRegression(
  x: Float32Array,
  n: number,
  dim: number,
  y: Int32Array,
  k: number,
  params: LogRegParams = {},
  sampleWeight: Float64Array | null = null,
): LogRegModel {
  validateMatrix(x, n, dim, 'logistic regression');
  if (n < 1) throw new HistoError('VALIDATION', 'logistic regression: no training rows');
  if (!Number.isInteger(k) || k < 2) throw new HistoError('VALIDATION', `logistic regression: need at least 2 classes, got ${k}`);
  if (y.length < n) throw new HistoError('VALIDATION', `logistic regression: ${y.length} labels for ${n} rows`);
  const labels = y.length === n ? y : y.subarray(0, n);
  validateLabels(labels, k, 'logistic regression');
  const l2 = params.l2 ?? LOGREG_DEFAULTS.l2;
  const maxIter = params.maxIter ?? LOGREG_DEFAULTS.maxIter;
  const tol = params.tol ?? LOGREG_DEFAULTS.tol;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new HistoError('VALIDATION', `logistic regression: l2 must be >= 0, got ${l2}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new HistoError('VALIDATION', `logistic regression: maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol > 0)) throw new HistoError('VALIDATION', `logistic regression: tol must be > 0, got ${tol}`);

  const outputs = k === 2 ? 1 : k;
  const weights = combineWeights(rowWeights(labels, k, params.classWeight), sampleWeight, n);
  const work = n * dim * outputs * 2;
  const onnx = params.engine === 'onnx' || (params.engine !== 'js' && work >= ONNX_MIN_WORK);
  // Float32 GEMMs resolve the mean gradient to about 1e-6: enough for the default tol, not for a much tighter one.
  const data = tol >= FLOAT32_MIN_TOL ? 'float32' : 'float64';
  const evaluator = onnx ? createOnnxLossEvaluator(x, n, dim, labels, weights, outputs, params.threads ?? defaultThreads(work), data) : createLossEvaluator(x, n, dim, labels, weights, outputs, params.threads);
  let result;
  try {
    result = minimizeLbfgs(makeObjective(evaluator, n, dim, outputs, weights, l2), new Float64Array(outputs * dim + outputs), { maxIter, tol });
  } finally {
    evaluator.close();
  }
  const theta = result.theta;
  const out = new Float32Array(k * dim);
  const bias = new Float32Array(k);
  if (outputs === 1) {
    for (let j = 0; j < dim; j++) {
      out[j] = -0.5 * theta[j]!;
      out[dim + j] = 0.5 * theta[j]!;
    }
    bias[0] = -0.5 * theta[dim]!;
    bias[1] = 0.5 * theta[dim]!;
  } else {
    for (let p = 0; p < k * dim; p++) out[p] = theta[p]!;
    for (let c = 0; c < k; c++) bias[c] = theta[k * dim + c]!;
  }
  return { k, dim, weights: out, bias, iterations: result.iterations, converged: result.converged };
}

/** Class probabilities, n * k row-major. */
export function predictLogisticRegression(model: LogRegModel, x: Float32Array, n: number): Float32Array {
  const { k, dim, weights, bias } = model;
  validateMatrix(x, n, dim, 'logistic regression predict');
  const out = new Float32Array(n * k);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const wo = c * dim;
      let a0 = 0;
      let a1 = 0;
      let j = 0;
      for (; j + 1 < dim; j += 2) {
        a0 += weights[wo + j]! * x[off + j]!;
        a1 += weights[wo + j + 1]! * x[off + j + 1]!;
      }
      if (j < dim) a0 += weights[wo + j]! * x[off + j]!;
      const v = a0 + a1 + bias[c]!;
      z[c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[c]! - max);
      z[c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[i * k + c] = z[c]! / sum;
  }
  return out;
}

/** The names the issue uses. */
export { fitLogisticRegression as fit, predictLogisticRegression as predictProba };
