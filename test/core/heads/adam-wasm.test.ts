import { describe, expect, it } from 'vitest';
import { ADAM_L2_SOURCE } from '../../../src-main/core/heads/adam';
import { ADAM_WASM_SOURCE, adamModuleBytes } from '../../../src-main/core/heads/adam-wasm';

type Vector = Float64Array | Float32Array;
type AdamRange = (w: Float64Array, m: Float64Array, v: Float64Array, g0: Vector, g1: Vector | null, out: Float32Array | null, lo: number, hi: number, l2: number, lr: number, c1: number, c2: number) => void;
interface Tensor {
  master: Float64Array;
  m: Float64Array;
  v: Float64Array;
  g: [Float32Array, Float32Array];
  f32: Float32Array;
  lo: number;
  hi: number;
  penalised: boolean;
}
interface WasmAdam {
  load(): void;
  step(l2: number, lr: number, c1: number, c2: number): void;
  store(): void;
}

/** The core's TypeScript lib has no WebAssembly types. */
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
const adamRange = new Function(`${ADAM_L2_SOURCE}\nreturn adamRange;`)() as AdamRange;
const wasmAdam = new Function(`${ADAM_WASM_SOURCE}\nreturn wasmAdam;`)() as (tensors: Tensor[]) => WasmAdam;

/** A small deterministic generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function tensor(n: number, lo: number, hi: number, penalised: boolean, next: () => number): Tensor {
  return {
    master: Float64Array.from({ length: n }, () => next() - 0.5),
    m: new Float64Array(n),
    v: new Float64Array(n),
    g: [new Float32Array(n), new Float32Array(n)],
    f32: new Float32Array(n),
    lo,
    hi,
    penalised,
  };
}

const copy = (t: Tensor): Tensor => ({ ...t, master: t.master.slice(), m: t.m.slice(), v: t.v.slice(), f32: t.f32.slice() });

describe('Adam as a WebAssembly SIMD kernel', () => {
  it('is a valid module', () => {
    expect(wasm.validate(adamModuleBytes())).toBe(true);
  });

  it('updates weights, moments and the float32 copy to the same bits as the JavaScript adamRange', () => {
    const next = lcg(7);
    // Odd and even range lengths, a range that starts inside its tensor, a bias without penalty.
    const reference = [tensor(1001, 0, 1001, true, next), tensor(64, 5, 38, false, next), tensor(2, 1, 2, true, next)];
    const tested = reference.map(copy);
    const initial = reference[0]!.master.slice();
    const adam = wasmAdam(tested);
    adam.load();
    const l2 = 3e-4;
    const lr = 1e-3;
    for (let step = 1; step <= 40; step++) {
      for (const t of reference) for (const g of t.g) for (let i = 0; i < g.length; i++) g[i] = (next() - 0.5) * (step < 20 ? 1e-2 : 1e3);
      const c1 = 1 / (1 - 0.9 ** step);
      const c2 = 1 / (1 - 0.999 ** step);
      for (const t of reference) adamRange(t.master, t.m, t.v, t.g[0], t.g[1], t.f32, t.lo, t.hi, t.penalised ? l2 : 0, lr, c1, c2);
      adam.step(l2, lr, c1, c2);
      // The float32 weights are what the next step's gradients are computed with: every step.
      reference.forEach((t, i) => expect(Buffer.from(tested[i]!.f32.buffer).equals(Buffer.from(t.f32.buffer))).toBe(true));
    }
    adam.store();
    reference.forEach((t, i) => {
      const got = tested[i]!;
      expect(Buffer.from(got.master.buffer).equals(Buffer.from(t.master.buffer))).toBe(true);
      expect(Buffer.from(got.m.buffer).equals(Buffer.from(t.m.buffer))).toBe(true);
      expect(Buffer.from(got.v.buffer).equals(Buffer.from(t.v.buffer))).toBe(true);
    });
    // Outside the ranges nothing moved.
    expect(tested[1]!.master.subarray(0, 5)).toEqual(reference[1]!.master.subarray(0, 5));
    expect(tested[1]!.f32.subarray(38).every((value) => value === 0)).toBe(true);
    // And the weights did move.
    expect(tested[0]!.master.filter((w, i) => w !== initial[i]).length).toBe(1001);
  });

  it('starts from the masters at load(): the float32 copy is the master rounded', () => {
    const next = lcg(11);
    const t = tensor(9, 2, 9, true, next);
    wasmAdam([t]).load();
    for (let i = 2; i < 9; i++) expect(t.f32[i]).toBe(Math.fround(t.master[i]!));
    expect(t.f32[0]).toBe(0);
  });
});
