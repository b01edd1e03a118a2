import { HistoError } from '../errors';
import { classCounts, validateLabels, validateMatrix } from './dataset';
import { blockKernels } from './dense-kernels';
import { minimizeLbfgs } from './lbfgs';

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
}

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

/**
 * The mean weighted cross-entropy and its gradient, one pass over x per call: rows go in blocks
 * (dense-kernels.ts) whose inputs stay in L1 between the forward and the backward half, and all
 * scratch is allocated once per fit. `outputs` is 1 for the binary (sigmoid) form, k for softmax.
 */
function makeObjective(
  x: Float32Array,
  n: number,
  dim: number,
  y: Int32Array,
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
  const { rows: block, forward, backward } = blockKernels(outputs);
  const logits = new Float64Array(outputs * block);
  const coef = new Float64Array(outputs * block);
  const binary = outputs === 1;

  /** Loss of row r (slot s of the block, stride `stride`) from its logits; writes d loss / d logit into coef. */
  const rowLoss = (r: number, s: number, stride: number): number => {
    const w = weights ? weights[r]! : 1;
    const label = y[r]!;
    if (binary) {
      const z = logits[s]!;
      // log(1 + exp(-t)) with t = +-z, stable for large |z|.
      const t = label === 1 ? z : -z;
      const loss = t > 0 ? Math.log1p(Math.exp(-t)) : -t + Math.log1p(Math.exp(t));
      const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      coef[s] = w * (p - label);
      return w * loss;
    }
    let max = -Infinity;
    for (let c = 0; c < outputs; c++) {
      const z = logits[c * stride + s]!;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < outputs; c++) {
      const e = Math.exp(logits[c * stride + s]! - max);
      coef[c * stride + s] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let c = 0; c < outputs; c++) coef[c * stride + s] = w * (coef[c * stride + s]! * inv - (c === label ? 1 : 0));
    return w * (Math.log(sum) + max - logits[label * stride + s]!);
  };

  return (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    let i = 0;
    for (; i + block <= n; i += block) {
      const o = i * dim;
      forward(x, o, dim, theta, biasOffset, logits);
      for (let s = 0; s < block; s++) loss += rowLoss(i + s, s, block);
      backward(x, o, dim, grad, coef);
      for (let c = 0; c < outputs; c++) {
        let g = 0;
        for (let s = 0; s < block; s++) g += coef[c * block + s]!;
        grad[biasOffset + c] = grad[biasOffset + c]! + g;
      }
    }
    for (; i < n; i++) {
      const o = i * dim;
      for (let c = 0; c < outputs; c++) {
        const wo = c * dim;
        let a0 = 0;
        for (let j = 0; j < dim; j++) a0 += theta[wo + j]! * x[o + j]!;
        logits[c] = a0 + theta[biasOffset + c]!;
      }
      loss += rowLoss(i, 0, 1);
      for (let c = 0; c < outputs; c++) {
        const g0 = coef[c]!;
        const wo = c * dim;
        for (let j = 0; j < dim; j++) grad[wo + j] = grad[wo + j]! + g0 * x[o + j]!;
        grad[biasOffset + c] = grad[biasOffset + c]! + g0;
      }
    }
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
  const objective = makeObjective(x, n, dim, labels, outputs, rowWeights(labels, k, params.classWeight), l2);
  const result = minimizeLbfgs(objective, new Float64Array(outputs * dim + outputs), { maxIter, tol });
  const theta = result.theta;
  const weights = new Float32Array(k * dim);
  const bias = new Float32Array(k);
  if (outputs === 1) {
    for (let j = 0; j < dim; j++) {
      weights[j] = -0.5 * theta[j]!;
      weights[dim + j] = 0.5 * theta[j]!;
    }
    bias[0] = -0.5 * theta[dim]!;
    bias[1] = 0.5 * theta[dim]!;
  } else {
    for (let p = 0; p < k * dim; p++) weights[p] = theta[p]!;
    for (let c = 0; c < k; c++) bias[c] = theta[k * dim + c]!;
  }
  return { k, dim, weights, bias, iterations: result.iterations, converged: result.converged };
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
