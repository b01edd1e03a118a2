import { ADAM_BETA1, ADAM_BETA2 } from './adam';
import { BLOCK, BR, BR_IF, END, F64, HEADER, I32, I32_ADD, I32_EQZ, I32_SUB, LOOP, V128, VOID, body, get, i32, mem, name, section, set, simd, tee, vec } from '../wasm/wasm-encoding';

/**
 * Adam (adam.ts's adamRange, two gradient shards) as a WebAssembly SIMD kernel, two float64 lanes
 * a step: ~2 ns a weight against ~7 ns in JavaScript, where it was a third of an MLP training
 * step. (Square root and division in float32 lanes measured no faster: the loop is bound by its
 * instruction count, not by the divider.) The kernel computes every value with the same operations
 * in the same order as adamRange (WebAssembly, like JavaScript, never fuses a multiply-add), so the
 * weights are the same bits; adam-wasm.test.ts holds it to that.
 *
 *   adam(w, m, v, g0, g1, out, pairs, l2, lr, c1, c2)  byte offsets into the imported memory:
 *   w, m, v float64, g0, g1, out float32, each of 2 * pairs values; l2, lr, c1, c2 as adamRange's.
 */

// SIMD opcodes (0xfd prefix).
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const F64X2_SPLAT = 0x14;
const V128_STORE64_LANE = 0x5b;
const V128_LOAD64_ZERO = 0x5d;
const F32X4_DEMOTE_F64X2_ZERO = 0x5e;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F64X2_SQRT = 0xef;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;
const F64X2_DIV = 0xf3;

/** A v128 constant of one float64 in both lanes. */
const pair = (value: number) => [...simd(V128_CONST), ...new Uint8Array(new Float64Array([value, value]).buffer)];

function adamBody(): number[] {
  const [w, m, v, g0, g1, out, pairs, l2, lr, c1, c2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [gt, mt, vt, wt, L2, LR, C1, C2, B1, B1C, B2, B2C, EPS] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
  const f64x2 = (op: number) => simd(op);
  const load = (ptr: number) => [...get(ptr), ...simd(V128_LOAD), ...mem(3, 0)];
  const loadFloats = (ptr: number) => [...get(ptr), ...simd(V128_LOAD64_ZERO), ...mem(3, 0), ...simd(F64X2_PROMOTE_LOW_F32X4)];
  const advance = (ptr: number, bytes: number) => [...get(ptr), ...i32(bytes), I32_ADD, ...set(ptr)];
  const code = [
    // Constants in locals: V8 rematerialises a v128.const at every use. (1 - beta) as JavaScript computes it.
    ...get(l2), ...simd(F64X2_SPLAT), ...set(L2),
    ...get(lr), ...simd(F64X2_SPLAT), ...set(LR),
    ...get(c1), ...simd(F64X2_SPLAT), ...set(C1),
    ...get(c2), ...simd(F64X2_SPLAT), ...set(C2),
    ...pair(ADAM_BETA1), ...set(B1),
    ...pair(1 - ADAM_BETA1), ...set(B1C),
    ...pair(ADAM_BETA2), ...set(B2),
    ...pair(1 - ADAM_BETA2), ...set(B2C),
    ...pair(1e-8), ...set(EPS),
    BLOCK, VOID, LOOP, VOID,
    ...get(pairs), I32_EQZ, BR_IF, 1,
    // gt = (g0 + g1) + l2 * w
    ...loadFloats(g0), ...loadFloats(g1), ...f64x2(F64X2_ADD), ...get(L2), ...load(w), ...tee(wt), ...f64x2(F64X2_MUL), ...f64x2(F64X2_ADD), ...set(gt),
    // m = beta1 * m + (1 - beta1) * gt
    ...get(m), ...get(B1), ...load(m), ...f64x2(F64X2_MUL), ...get(B1C), ...get(gt), ...f64x2(F64X2_MUL), ...f64x2(F64X2_ADD), ...tee(mt), ...simd(V128_STORE), ...mem(3, 0),
    // v = beta2 * v + ((1 - beta2) * gt) * gt
    ...get(v), ...get(B2), ...load(v), ...f64x2(F64X2_MUL), ...get(B2C), ...get(gt), ...f64x2(F64X2_MUL), ...get(gt), ...f64x2(F64X2_MUL), ...f64x2(F64X2_ADD), ...tee(vt), ...simd(V128_STORE), ...mem(3, 0),
    // w = w - ((lr * m) * c1) / (sqrt(v * c2) + 1e-8)
    ...get(w), ...get(wt),
    ...get(LR), ...get(mt), ...f64x2(F64X2_MUL), ...get(C1), ...f64x2(F64X2_MUL),
    ...get(vt), ...get(C2), ...f64x2(F64X2_MUL), ...f64x2(F64X2_SQRT), ...get(EPS), ...f64x2(F64X2_ADD),
    ...f64x2(F64X2_DIV), ...f64x2(F64X2_SUB), ...tee(wt), ...simd(V128_STORE), ...mem(3, 0),
    // out = float32(w)
    ...get(out), ...get(wt), ...simd(F32X4_DEMOTE_F64X2_ZERO), ...simd(V128_STORE64_LANE), ...mem(3, 0), 0,
    ...advance(w, 16), ...advance(m, 16), ...advance(v, 16), ...advance(g0, 8), ...advance(g1, 8), ...advance(out, 8),
    ...get(pairs), ...i32(1), I32_SUB, ...set(pairs),
    BR, 0, END, END,
    END,
  ];
  return [...vec([[13, V128]]), ...code];
}

/** The module: imports env.memory (unshared, at least 1 page), exports adam. */
export function adamModuleBytes(): Uint8Array {
  const adamType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32], [F64], [F64], [F64], [F64]]), 0x00];
  return Uint8Array.from([
    ...HEADER,
    ...section(1, vec([adamType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('adam'), 0x00, 0]])),
    ...section(10, vec([body(adamBody())])),
  ]);
}

/**
 * Source of `wasmAdam(tensors)`, for the helper threads' epoch driver (mlp-epoch-driver.ts) and
 * the tests: each tensor {master, m, v (float64), g: [g0, g1], f32 (float32), lo, hi} is updated on
 * [lo, hi). The optimiser's state for those ranges lives in a private WebAssembly memory between
 * load() (from master, m, v; f32 := master) and store() (back to them); each step(l2, lr, c1, c2)
 * reads the two shard gradients and writes the float32 weights to f32.
 */
export const ADAM_WASM_SOURCE = `
const ADAM_MODULE = new WebAssembly.Module(new Uint8Array([${Array.from(adamModuleBytes()).join(',')}]));
function wasmAdam(tensors) {
  let bytes = 0;
  const slots = tensors.map((t) => {
    const n = t.hi - t.lo;
    const padded = n + (n & 1); // whole pairs: the padding lanes stay 0 and keep their weight
    const at = (size) => { const offset = bytes; bytes += padded * size; return offset; };
    return { t, n, pairs: padded >> 1, w: at(8), m: at(8), v: at(8), g0: at(4), g1: at(4), out: at(4) };
  });
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const adam = new WebAssembly.Instance(ADAM_MODULE, { env: { memory } }).exports.adam;
  for (const s of slots) {
    const view = (Type, offset) => new Type(memory.buffer, offset, s.n);
    s.views = { w: view(Float64Array, s.w), m: view(Float64Array, s.m), v: view(Float64Array, s.v), g0: view(Float32Array, s.g0), g1: view(Float32Array, s.g1), out: view(Float32Array, s.out) };
  }
  return {
    load() {
      for (const { t, views } of slots) {
        views.w.set(t.master.subarray(t.lo, t.hi));
        views.m.set(t.m.subarray(t.lo, t.hi));
        views.v.set(t.v.subarray(t.lo, t.hi));
        views.out.set(views.w); // float32 rounding, as the kernel's
        t.f32.set(views.out, t.lo);
      }
    },
    step(l2, lr, c1, c2) {
      for (const s of slots) {
        const { t, views } = s;
        views.g0.set(t.g[0].subarray(t.lo, t.hi));
        views.g1.set(t.g[1].subarray(t.lo, t.hi));
        adam(s.w, s.m, s.v, s.g0, s.g1, s.out, s.pairs, t.penalised ? l2 : 0, lr, c1, c2);
        t.f32.set(views.out, t.lo);
      }
    },
    store() {
      for (const { t, views } of slots) {
        t.master.set(views.w, t.lo);
        t.m.set(views.m, t.lo);
        t.v.set(views.v, t.lo);
      }
    },
  };
}`;
