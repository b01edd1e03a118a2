/**
 * Register-blocked dense kernels for the linear layer of logistic regression: R rows times a chunk
 * of C output units per pass over the input dimension, so every load of x feeds C multiply-adds and
 * every weight load feeds R. JavaScript has no SIMD and V8 will not keep arrays of accumulators in
 * registers, so the unrolled bodies are generated once per (outputs, rows) shape as plain JS source
 * (no user data reaches the source: only integers we compute) and compiled by the engine.
 */

/** logits[c * R + r] = bias[c] + <theta row c, x row (rowOffset/dim + r)>, for all outputs. */
export type ForwardBlock = (x: Float32Array, rowOffset: number, dim: number, theta: Float64Array, biasOffset: number, logits: Float64Array) => void;
/** grad row c += sum_r coef[c * R + r] * x row r, for all outputs. */
export type BackwardBlock = (x: Float32Array, rowOffset: number, dim: number, grad: Float64Array, coef: Float64Array) => void;

export interface BlockKernels {
  rows: number;
  forward: ForwardBlock;
  backward: BackwardBlock;
}

const MAX_CHUNK = 4;

function chunks(outputs: number): Array<[number, number]> {
  const count = Math.ceil(outputs / MAX_CHUNK);
  const size = Math.ceil(outputs / count);
  const out: Array<[number, number]> = [];
  for (let c0 = 0; c0 < outputs; c0 += size) out.push([c0, Math.min(size, outputs - c0)]);
  return out;
}

const cache = new Map<string, BlockKernels>();

export function blockKernels(outputs: number): BlockKernels {
  const rows = outputs === 1 ? 8 : 4;
  const key = `${outputs}x${rows}`;
  const hit = cache.get(key);
  if (hit) return hit;
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
    bwd += '}}\n';
  }
  const kernels: BlockKernels = {
    rows,
    forward: new Function('x', 'o', 'dim', 'theta', 'biasOffset', 'logits', `'use strict';${fwd}`) as ForwardBlock,
    backward: new Function('x', 'o', 'dim', 'grad', 'coef', `'use strict';${bwd}`) as BackwardBlock,
  };
  cache.set(key, kernels);
  return kernels;
}
