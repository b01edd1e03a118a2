import { simdModuleBytes } from './simd-module';

/**
 * The WebAssembly SIMD kernels (see simd-module.ts) behind plain typed-array calls. They run on the
 * calling thread, synchronously, in one shared instance: each call copies its inputs into the
 * instance's memory, runs, and copies the result out (memcpy speed, far below the kernels' cost).
 * Returns null where WebAssembly SIMD is missing, so callers keep their scalar path.
 */
export interface SimdKernels {
  /** Decodes `count` little-endian halves from `bytes` into `target` at `offset`; count a multiple of 8. */
  decodeHalves(bytes: Uint8Array, count: number, target: Float32Array, offset: number): void;
  /** n x k dot products of the rows of x (n x dim) with the rows of w (k x dim); dim a multiple of 16. */
  logits(x: Float32Array, n: number, dim: number, w: Float32Array, k: number): Float32Array;
  /** A decoder of its own (one per scan), whose results are views: no copy out of its memory. */
  ownDecoder(): HalfDecoder;
}

export interface HalfDecoder {
  /**
   * Decodes `count` halves (a multiple of 8) and returns them as a view of the decoder's memory,
   * valid until its next call: copy what you keep.
   */
  decode(bytes: Uint8Array, count: number): Float32Array;
}

/** The part of the WebAssembly API used here (the core's TypeScript lib has no WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  decode(src: number, dst: number, n: number): void;
  logits(x: number, n: number, dim: number, w: number, k: number, out: number): void;
}

let kernels: SimdKernels | null | undefined;

export function simdKernels(): SimdKernels | null {
  if (kernels === undefined) kernels = instantiate();
  return kernels;
}

const align16 = (bytes: number) => (bytes + 15) & ~15;

/** Makes an instance's memory at least `bytes` long; its buffer (and every view of it) changes when it grows. */
function reserve(wasm: Exports, bytes: number): ArrayBuffer {
  const missing = bytes - wasm.memory.buffer.byteLength;
  if (missing > 0) wasm.memory.grow(Math.ceil(missing / 65536));
  return wasm.memory.buffer;
}

function decoderOn(wasm: Exports): HalfDecoder {
  return {
    decode(bytes, count) {
      const dst = align16(count * 2);
      const buffer = reserve(wasm, dst + count * 4);
      new Uint8Array(buffer, 0, count * 2).set(bytes.subarray(0, count * 2));
      wasm.decode(0, dst, count);
      return new Float32Array(buffer, dst, count);
    },
  };
}

function instantiate(): SimdKernels | null {
  const bytes = simdModuleBytes();
  if (process.env.HISTO_NO_SIMD === '1' || !wasmApi.validate(bytes)) return null;
  const module = new wasmApi.Module(bytes);
  const instance = () => new wasmApi.Instance(module).exports as Exports;
  // Separate memories, so a product never moves the memory under a decoded view.
  const decoder = decoderOn(instance());
  const wasm = instance();
  return {
    decodeHalves(bytes, count, target, offset) {
      target.set(decoder.decode(bytes, count), offset);
    },
    ownDecoder: () => decoderOn(instance()),
    logits(x, n, dim, w, k) {
      const wAt = align16(n * dim * 4);
      const outAt = wAt + align16(k * dim * 4);
      const buffer = reserve(wasm, outAt + n * k * 4);
      new Float32Array(buffer, 0, n * dim).set(x.subarray(0, n * dim));
      new Float32Array(buffer, wAt, k * dim).set(w.subarray(0, k * dim));
      wasm.logits(0, n, dim, wAt, k, outAt);
      return new Float32Array(buffer, outAt, n * k).slice();
    },
  };
}
