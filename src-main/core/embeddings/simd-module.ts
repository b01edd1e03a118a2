/**
 * The bytes of a tiny WebAssembly SIMD module, assembled here so no toolchain is needed. It
 * exports its memory and two kernels over it (pointers are byte offsets into that memory):
 *
 *   decode(src, dst, n)            n IEEE halves at src -> n float32 at dst; n a multiple of 8
 *   logits(x, n, dim, w, k, out)   out[i*k+c] = dot(x row i, w row c); dim a multiple of 16
 *
 * decode converts 8 halves per step with integer lane operations: the magnitude bits shift into
 * float32 position and the exponent is rebiased; Inf/NaN get the all-ones exponent; subnormal
 * halves (exponent 0) become normal floats by one exact subtraction; then the sign.
 * The equivalent text format is in the comments beside each instruction group.
 */

import { BLOCK, BR, BR_IF, ELSE, END, HEADER, I32, I32_ADD, I32_AND, I32_GE_U, I32_MUL, I32_SHL, IF, LOOP, V128, VOID, body, get, i32, mem, name, section, set, simd, tee, uleb, vec } from '../wasm/wasm-encoding';

const F32_STORE = 0x38;
const F32_ADD = 0x92;

// SIMD opcodes (0xfd prefix, then the opcode as unsigned LEB128).
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const F32X4_EXTRACT_LANE = 0x1f;
const I8X16_SHUFFLE = 0x0d;
const I16X8_GT_S = 0x31;
const I16X8_LE_U = 0x34;
const V128_ANY_TRUE = 0x53;
const I16X8_SHL = 0x8b;
const I16X8_SHR_U = 0x8d;
const I16X8_ADD = 0x8e;
const I16X8_SUB = 0x91;
const I32X4_EQ = 0x37;
const V128_BITSELECT = 0x52;
const I32X4_ADD = 0xae;
const F32X4_SUB = 0xe5;
const V128_AND = 0x4e;
const V128_OR = 0x50;
const I32X4_EXTEND_LOW_I16X8_U = 0xa9;
const I32X4_EXTEND_HIGH_I16X8_U = 0xaa;
const I32X4_SHL = 0xab;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;

/** A v128 constant with the same 32-bit pattern in every lane. */
const splat32 = (bits: number) => [...simd(V128_CONST), ...new Uint8Array(new Uint32Array([bits, bits, bits, bits]).buffer)];

/** The lane constants of the conversion, kept in locals: V8 rematerialises a v128.const at every use. */
const HALF_CONSTANTS = [0x7fff, 0x0f800000, 0x38000000, 0x00800000, 0x38800000, 0, 0x80000000] as const;

/**
 * Converts the half bits in the i32 lanes of local `x` to float32 lanes, left on the stack (uses
 * locals `m` and `o`; `c` maps each constant to its local). No float arithmetic ever sees a
 * subnormal (x86 takes ~100 cycles for one).
 */
function halvesToFloats(x: number, m: number, o: number, c: (bits: number) => number[]): number[] {
  const exponent = [...get(m), ...c(0x0f800000), ...simd(V128_AND)];
  return [
    ...get(x), ...c(0x7fff), ...simd(V128_AND), ...i32(13), ...simd(I32X4_SHL), ...tee(m), // magnitude bits in float32 position
    ...c(0x38000000), ...simd(I32X4_ADD), // exponent rebiased from 15 to 127
    ...exponent, ...c(0x0f800000), ...simd(I32X4_EQ), ...c(0x38000000), ...simd(V128_AND), ...simd(I32X4_ADD), ...set(o), // Inf/NaN: all-ones exponent
    ...get(o), ...c(0x00800000), ...simd(I32X4_ADD), ...c(0x38800000), ...simd(F32X4_SUB), // subnormal: (2^-14 + m 2^-24) - 2^-14
    ...get(o),
    ...exponent, ...c(0), ...simd(I32X4_EQ),
    ...simd(V128_BITSELECT), // the subnormal value where the exponent was zero
    ...get(x), ...i32(16), ...simd(I32X4_SHL), ...c(0x80000000), ...simd(V128_AND), ...simd(V128_OR), // sign
  ];
}

/** Lane constants of the fast path: 16-bit patterns, repeated in every lane. */
const FAST_CONSTANTS = [0x7fff, 0x8000, 0x3800, 0x0001, 0x03fe, 0x7bff] as const;
const lanes16 = (bits: number) => ((bits << 16) | bits) >>> 0;

/**
 * Whether any of 8 halves (magnitudes in local `mag`) is subnormal ((mag - 1) <= 0x3fe, unsigned)
 * or Inf/NaN (mag > 0x7bff; a magnitude is positive as a signed lane): lanes of all ones, left on
 * the stack. Compares that x86 has as one instruction (min+eq, signed greater).
 */
function unusual(mag: number, c: (bits: number) => number[]): number[] {
  return [
    ...get(mag), ...c(0x0001), ...simd(I16X8_SUB), ...c(0x03fe), ...simd(I16X8_LE_U),
    ...get(mag), ...c(0x7bff), ...simd(I16X8_GT_S), ...simd(V128_OR),
  ];
}

/**
 * The fast path for 8 halves (local `h`, magnitudes in `mag`) that are all normal or zero, stored
 * at dst + `at` as 8 floats: in 16-bit lanes the float's high half is sign | (exponent + 112) << 7
 * | mantissa >> 3 (zero lanes: the sign alone), its low half the mantissa's last 3 bits << 13; two
 * shuffles (x86 unpacks) interleave them.
 */
function fastEight(h: number, mag: number, hi: number, lo: number, dst: number, at: number, c: (bits: number) => number[]): number[] {
  const interleave = (first: number) => Array.from({ length: 16 }, (_, byte) => (byte & 2 ? 16 : 0) + first + (byte >> 2) * 2 + (byte & 1));
  return [
    ...get(mag), ...i32(3), ...simd(I16X8_SHR_U), ...c(0x3800), ...simd(I16X8_ADD), // exponent rebiased, mantissa's top 7 bits
    ...get(mag), ...c(0), ...simd(I16X8_GT_S), ...simd(V128_AND), // zero lanes: nothing
    ...get(h), ...c(0x8000), ...simd(V128_AND), ...simd(V128_OR), ...set(hi), // the sign
    ...get(h), ...i32(13), ...simd(I16X8_SHL), ...set(lo),
    ...get(dst), ...get(lo), ...get(hi), ...simd(I8X16_SHUFFLE), ...interleave(0), ...simd(V128_STORE), ...mem(0, at),
    ...get(dst), ...get(lo), ...get(hi), ...simd(I8X16_SHUFFLE), ...interleave(8), ...simd(V128_STORE), ...mem(0, at + 16),
  ];
}

/** 8 halves (local `h`) of any kind, stored at dst + `at` as 8 floats, 4 at a time in 32-bit lanes. */
function slowEight(h: number, x: number, m: number, o: number, dst: number, at: number, c: (bits: number) => number[]): number[] {
  return [
    ...get(dst), ...get(h), ...simd(I32X4_EXTEND_LOW_I16X8_U), ...set(x), ...halvesToFloats(x, m, o, c), ...simd(V128_STORE), ...mem(0, at),
    ...get(dst), ...get(h), ...simd(I32X4_EXTEND_HIGH_I16X8_U), ...set(x), ...halvesToFloats(x, m, o, c), ...simd(V128_STORE), ...mem(0, at + 16),
  ];
}

/**
 * 16 halves per step while 16 remain (one test for the rare unusual values covers both groups of
 * 8), then 8 per step: about twice the rate of 8 per step with a test each.
 */
function decodeBody(): number[] {
  const [src, dst, n, end, end16, h, x, m, o, mag, hi, lo, h2, mag2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const firstConstant = 14;
  const constants = [...new Set([...HALF_CONSTANTS.map((bits) => bits >>> 0), ...FAST_CONSTANTS.map(lanes16)])];
  const constantLocal = (bits: number) => firstConstant + constants.indexOf(bits >>> 0);
  const slowConstant = (bits: number) => get(constantLocal(bits));
  const fastConstant = (bits: number) => get(constantLocal(lanes16(bits)));
  const locals = vec([[2, I32], [9 + constants.length, V128]]);
  const load = (local: number, magnitude: number, at: number) => [...get(src), ...simd(V128_LOAD), ...mem(0, at), ...tee(local), ...fastConstant(0x7fff), ...simd(V128_AND), ...set(magnitude)];
  const advance = (halves: number) => [...get(src), ...i32(halves * 2), I32_ADD, ...set(src), ...get(dst), ...i32(halves * 4), I32_ADD, ...set(dst)];
  const code = [
    ...constants.flatMap((bits) => [...splat32(bits), ...set(constantLocal(bits))]),
    ...get(src), ...get(n), ...i32(1), I32_SHL, I32_ADD, ...set(end), // end = src + 2n
    ...get(src), ...get(n), ...i32(-16), I32_AND, ...i32(1), I32_SHL, I32_ADD, ...set(end16), // where fewer than 16 remain
    BLOCK, VOID, LOOP, VOID,
    ...get(src), ...get(end16), I32_GE_U, BR_IF, 1,
    ...load(h, mag, 0), ...load(h2, mag2, 16),
    ...unusual(mag, fastConstant), ...unusual(mag2, fastConstant), ...simd(V128_OR), ...simd(V128_ANY_TRUE),
    IF, VOID,
    ...slowEight(h, x, m, o, dst, 0, slowConstant), ...slowEight(h2, x, m, o, dst, 32, slowConstant),
    ELSE,
    ...fastEight(h, mag, hi, lo, dst, 0, fastConstant), ...fastEight(h2, mag2, hi, lo, dst, 32, fastConstant),
    END,
    ...advance(16),
    BR, 0, END, END,
    BLOCK, VOID, LOOP, VOID,
    ...get(src), ...get(end), I32_GE_U, BR_IF, 1,
    ...load(h, mag, 0),
    ...unusual(mag, fastConstant), ...simd(V128_ANY_TRUE),
    IF, VOID,
    ...slowEight(h, x, m, o, dst, 0, slowConstant),
    ELSE,
    ...fastEight(h, mag, hi, lo, dst, 0, fastConstant),
    END,
    ...advance(8),
    BR, 0, END, END,
    END,
  ];
  return [...locals, ...code];
}

function logitsBody(): number[] {
  // params: x n dim w k out; locals: rowEnd wRow wEnd xp wp (i32), a0..a3 (v128)
  const [x, n, dim, w, k, out, xEnd, wRow, wEnd, xp, wp, a0, a1, a2, a3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const accs = [a0, a1, a2, a3];
  const lane = (acc: number, i: number) => [...get(acc), ...simd(F32X4_EXTRACT_LANE), i];
  const locals = vec([[5, I32], [4, V128]]);
  const rowBytes = [...get(dim), ...i32(2), I32_SHL];
  const code = [
    ...get(x), ...get(n), ...rowBytes, I32_MUL, I32_ADD, ...set(xEnd), // xEnd = x + n * dim * 4
    ...get(w), ...get(k), ...rowBytes, I32_MUL, I32_ADD, ...set(wEnd), // wEnd = w + k * dim * 4
    BLOCK, VOID, LOOP, VOID, // rows
    ...get(x), ...get(xEnd), I32_GE_U, BR_IF, 1,
    ...get(w), ...set(wRow),
    BLOCK, VOID, LOOP, VOID, // classes
    ...get(wRow), ...get(wEnd), I32_GE_U, BR_IF, 1,
    ...accs.flatMap((acc) => [...splat32(0), ...set(acc)]),
    ...get(x), ...set(xp), ...get(wRow), ...set(wp),
    ...get(wRow), ...rowBytes, I32_ADD, ...set(wRow), // wRow: the next class row, and this row's end
    BLOCK, VOID, LOOP, VOID, // 16 values per step, four independent sums
    ...get(wp), ...get(wRow), I32_GE_U, BR_IF, 1,
    ...accs.flatMap((acc, i) => [...get(acc), ...get(xp), ...simd(V128_LOAD), ...mem(0, i * 16), ...get(wp), ...simd(V128_LOAD), ...mem(0, i * 16), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc)]),
    ...get(xp), ...i32(64), I32_ADD, ...set(xp),
    ...get(wp), ...i32(64), I32_ADD, ...set(wp),
    BR, 0, END, END,
    ...get(a0), ...get(a1), ...simd(F32X4_ADD), ...get(a2), ...get(a3), ...simd(F32X4_ADD), ...simd(F32X4_ADD), ...set(a0),
    ...get(out), ...lane(a0, 0), ...lane(a0, 1), F32_ADD, ...lane(a0, 2), ...lane(a0, 3), F32_ADD, F32_ADD, F32_STORE, ...mem(2, 0),
    ...get(out), ...i32(4), I32_ADD, ...set(out),
    BR, 0, END, END,
    ...get(x), ...rowBytes, I32_ADD, ...set(x),
    BR, 0, END, END, END,
  ];
  return [...locals, ...code];
}

/**
 * The module's bytes. With `sharedMaxPages`, the module imports its memory (env.memory) instead:
 * shared, of at most that many 64 KiB pages, so the thread that owns the results reads what a
 * helper thread decoded where it was decoded.
 */
export function simdModuleBytes(sharedMaxPages?: number): Uint8Array {
  const decodeType = [0x60, ...vec([[I32], [I32], [I32]]), 0x00];
  const logitsType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0x00];
  return Uint8Array.from([
    ...HEADER,
    ...section(1, vec([decodeType, logitsType])),
    // An imported memory: flags 3 = shared, with a maximum.
    ...(sharedMaxPages === undefined ? [] : section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x03, 1, ...uleb(sharedMaxPages)]]))),
    ...section(3, vec([[0], [1]])),
    ...(sharedMaxPages === undefined ? section(5, vec([[0x00, 1]])) : []), // else one memory, 1 page to start; the host grows it
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('decode'), 0x00, 0], [...name('logits'), 0x00, 1]])),
    ...section(10, vec([body(decodeBody()), body(logitsBody())])),
  ]);
}
