/**
 * The pieces of the WebAssembly binary format that the hand-assembled kernels share (simd-module.ts
 * for vectors, adam-wasm.ts for the MLP's optimiser): no toolchain is needed to build them.
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

// Core opcodes.
export const END = 0x0b;
export const BLOCK = 0x02;
export const IF = 0x04;
export const ELSE = 0x05;
export const LOOP = 0x03;
export const BR = 0x0c;
export const BR_IF = 0x0d;
export const VOID = 0x40;
export const LOCAL_GET = 0x20;
export const LOCAL_SET = 0x21;
export const LOCAL_TEE = 0x22;
export const I32_CONST = 0x41;
export const I32_EQZ = 0x45;
export const I32_GE_U = 0x4f;
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_AND = 0x71;
export const I32_MUL = 0x6c;
export const I32_SHL = 0x74;

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** A SIMD instruction: the 0xfd prefix, then the opcode as unsigned LEB128. */
export const simd = (op: number) => [0xfd, ...uleb(op)];
export const get = (local: number) => [LOCAL_GET, local];
export const set = (local: number) => [LOCAL_SET, local];
export const tee = (local: number) => [LOCAL_TEE, local];
export const i32 = (value: number) => [I32_CONST, ...sleb(value)];
/** memarg: alignment hint (log2 bytes) and static offset. */
export const mem = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
export const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
export const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
export const name = (text: string) => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
/** A function body: its size, then its locals and code. */
export const body = (code: number[]) => [...uleb(code.length), ...code];
/** The module header: magic and version 1. */
export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
