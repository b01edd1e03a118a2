/**
 * The logistic-regression loss over a range of rows, as JavaScript source generated per number of
 * outputs. Rows go in register-blocked tiles: R rows times a chunk of C output units per pass over
 * the input dimension, so every load of x feeds C multiply-adds and every weight load feeds R, and
 * the R rows stay in L1 between the forward and the backward half. JavaScript has no SIMD and V8
 * will not keep arrays of accumulators in registers, hence unrolled source; only integers we
 * compute go into it. The same source runs on the calling thread and in the worker threads
 * (parallel-loss.ts), so both compute bit-identical partial sums.
 */

/**
 * Sum over rows [start, end) of w_i * CE_i (not normalised, no penalty); adds d/d theta into grad
 * (grad is not cleared). theta = [W (outputs * dim), bias (outputs)]. y: labels; weights: per-row
 * weights or null. outputs = 1 is the binary (sigmoid) form.
 */
export type RangeLoss = (x: Float32Array, dim: number, y: Int32Array, weights: Float64Array | null, theta: Float64Array, grad: Float64Array, start: number, end: number) => number;

const MAX_CHUNK = 4;

function chunks(outputs: number): Array<[number, number]> {
  const count = Math.ceil(outputs / MAX_CHUNK);
  const size = Math.ceil(outputs / count);
  const out: Array<[number, number]> = [];
  for (let c0 = 0; c0 < outputs; c0 += size) out.push([c0, Math.min(size, outputs - c0)]);
  return out;
}

/** Source of a factory returning a RangeLoss for `outputs` units: `new Function(source)()`. */
export function rangeLossSource(outputs: number): string {
  if (!Number.isInteger(outputs) || outputs < 1) throw new Error(`rangeLossSource: bad outputs ${outputs}`);
  const rows = outputs === 1 ? 8 : 4;
  const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
  let fwd = '';
  let bwd = '';
  for (const [c0, size] of chunks(outputs)) {
    fwd += '{';
    for (const c of range(size)) for (const r of range(rows)) fwd += `let a${c}_${r}=0;`;
    for (const c of range(size)) fwd += `const w${c}o=${c0 + c}*dim;`;
    fwd += 'for(let j=0;j<dim;j++){';
    for (const r of range(rows)) fwd += `const x${r}=x[o+${r}*dim+j];`;
    for (const c of range(size)) {
      fwd += `const w${c}=theta[w${c}o+j];`;
      for (const r of range(rows)) fwd += `a${c}_${r}+=w${c}*x${r};`;
    }
    fwd += '}';
    for (const c of range(size)) {
      fwd += `const b${c}=theta[biasOffset+${c0 + c}];`;
      for (const r of range(rows)) fwd += `logits[${(c0 + c) * rows + r}]=a${c}_${r}+b${c};`;
    }
    fwd += '}\n';

    bwd += '{';
    for (const c of range(size)) for (const r of range(rows)) bwd += `const g${c}_${r}=coef[${(c0 + c) * rows + r}];`;
    for (const c of range(size)) bwd += `const g${c}o=${c0 + c}*dim;`;
    bwd += 'for(let j=0;j<dim;j++){';
    for (const r of range(rows)) bwd += `const x${r}=x[o+${r}*dim+j];`;
    for (const c of range(size)) bwd += `grad[g${c}o+j]+=${range(rows).map((r) => `g${c}_${r}*x${r}`).join('+')};`;
    bwd += '}';
    for (const c of range(size)) bwd += `grad[biasOffset+${c0 + c}]+=${range(rows).map((r) => `g${c}_${r}`).join('+')};`;
    bwd += '}\n';
  }
  return `'use strict';
const outputs = ${outputs};
const block = ${rows};
const binary = outputs === 1;
const logits = new Float64Array(outputs * block);
const coef = new Float64Array(outputs * block);
// Loss of row r (slot s of a block with this stride); writes d loss / d logit into coef.
function rowLoss(y, weights, r, s, stride) {
  const w = weights === null ? 1 : weights[r];
  const label = y[r];
  if (binary) {
    const z = logits[s];
    const t = label === 1 ? z : -z;
    const loss = t > 0 ? Math.log1p(Math.exp(-t)) : -t + Math.log1p(Math.exp(t));
    const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    coef[s] = w * (p - label);
    return w * loss;
  }
  let max = -Infinity;
  for (let c = 0; c < outputs; c++) { const z = logits[c * stride + s]; if (z > max) max = z; }
  let sum = 0;
  for (let c = 0; c < outputs; c++) { const e = Math.exp(logits[c * stride + s] - max); coef[c * stride + s] = e; sum += e; }
  const inv = 1 / sum;
  for (let c = 0; c < outputs; c++) coef[c * stride + s] = w * (coef[c * stride + s] * inv - (c === label ? 1 : 0));
  return w * (Math.log(sum) + max - logits[label * stride + s]);
}
return function rangeLoss(x, dim, y, weights, theta, grad, start, end) {
  const biasOffset = outputs * dim;
  let loss = 0;
  let i = start;
  for (; i + block <= end; i += block) {
    const o = i * dim;
${fwd}
    for (let s = 0; s < block; s++) loss += rowLoss(y, weights, i + s, s, block);
${bwd}
  }
  for (; i < end; i++) {
    const o = i * dim;
    for (let c = 0; c < outputs; c++) {
      const wo = c * dim;
      let a = 0;
      for (let j = 0; j < dim; j++) a += theta[wo + j] * x[o + j];
      logits[c] = a + theta[biasOffset + c];
    }
    loss += rowLoss(y, weights, i, 0, 1);
    for (let c = 0; c < outputs; c++) {
      const g = coef[c];
      const wo = c * dim;
      for (let j = 0; j < dim; j++) grad[wo + j] += g * x[o + j];
      grad[biasOffset + c] += g;
    }
  }
  return loss;
};
`;
}

/** A fresh RangeLoss (its own scratch arrays) for `outputs` units. */
export function compileRangeLoss(outputs: number): RangeLoss {
  return new Function(rangeLossSource(outputs))() as RangeLoss;
}
