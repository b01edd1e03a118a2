import { nodeRequire } from '../../node-require';

/**
 * Builds the JPEG stream a standard decoder can read from a TIFF tile: the shared JPEGTables
 * (quantisation and Huffman tables, stored once per image) spliced in after SOI, and an Adobe
 * APP14 marker stating the colour transform. libjpeg guesses the colour space from markers and
 * component ids, and guesses YCbCr for Aperio's RGB tiles (ids 0,1,2 and no markers), which
 * turns tissue green; the TIFF's photometric tag is the authority, so we say it explicitly.
 */
export function buildJpegStream(tile: Uint8Array, tables: Uint8Array | null, photometric: number): Uint8Array {
  if (tile.length < 4 || tile[0] !== 0xff || tile[1] !== 0xd8) throw new Error('tile is not a JPEG stream (no SOI marker)');
  let tableBody: Uint8Array = new Uint8Array(0);
  if (tables && tables.length >= 4 && tables[0] === 0xff && tables[1] === 0xd8) {
    // Drop the tables' SOI and, when present, their EOI.
    const end = tables[tables.length - 2] === 0xff && tables[tables.length - 1] === 0xd9 ? tables.length - 2 : tables.length;
    tableBody = tables.subarray(2, end);
  }
  // APP14 "Adobe": version 100, flags0 0, flags1 0, transform (0 = none/RGB, 1 = YCbCr).
  const transform = photometric === 2 ? 0 : 1;
  const adobe = new Uint8Array([0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0, 0, 0, 0, transform]);
  const greyscale = photometric === 1 || photometric === 0;
  const out = new Uint8Array(2 + (greyscale ? 0 : adobe.length) + tableBody.length + tile.length - 2);
  out[0] = 0xff;
  out[1] = 0xd8;
  let at = 2;
  if (!greyscale) {
    out.set(adobe, at);
    at += adobe.length;
  }
  out.set(tableBody, at);
  at += tableBody.length;
  out.set(tile.subarray(2), at);
  return out;
}

/** Width, height and component count from a JPEG stream's SOF segment, read before any decoder allocates. */
export function jpegFrameInfo(stream: Uint8Array): { width: number; height: number; components: number } {
  let at = 2;
  while (at + 4 <= stream.length) {
    if (stream[at] !== 0xff) throw new Error('corrupt JPEG data (bad marker)');
    const marker = stream[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = (stream[at + 2]! << 8) | stream[at + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (at + 10 > stream.length) break;
      return {
        height: (stream[at + 5]! << 8) | stream[at + 6]!,
        width: (stream[at + 7]! << 8) | stream[at + 8]!,
        components: stream[at + 9]!,
      };
    }
    if (marker === 0xda) break;
    at += 2 + length;
  }
  throw new Error('corrupt JPEG data (no frame header)');
}

interface WasmJpegDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; componentCount: number };
}

let wasmDecoder: Promise<WasmJpegDecoder> | undefined;

/** libjpeg-turbo compiled to WebAssembly: one decoder per thread, reused across tiles. */
function libjpegTurbo(): Promise<WasmJpegDecoder> {
  wasmDecoder ??= (async () => {
    const factory = nodeRequire('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as (opts: object) => Promise<{ JPEGDecoder: new () => WasmJpegDecoder }>;
    const quiet = (): void => {};
    const mod = await factory({ print: quiet, printErr: quiet });
    return new mod.JPEGDecoder();
  })();
  return wasmDecoder;
}

/** Compiles and starts this thread's JPEG decoder ahead of the first tile (a decode worker warming up). */
export async function warmJpegDecoder(): Promise<void> {
  await libjpegTurbo();
}

/**
 * Where a decoder may put its output: a buffer of exactly `length` bytes the caller wants filled
 * (a decode worker's recycled tile buffer), or undefined for a new one.
 */
export type OutputBuffer = (length: number) => Uint8Array | undefined;

/**
 * Decodes a complete JPEG stream with libjpeg-turbo (wasm). For tiles up to a few hundred pixels
 * on a side this beats sharp, whose per-call pipeline set-up costs more than the decode itself
 * (bench/slides-bench.ts measures both); larger images go to sharp (native SIMD) instead.
 */
export async function decodeJpegWasm(stream: Uint8Array, output?: OutputBuffer): Promise<{ samples: Uint8Array; width: number; height: number; components: number }> {
  const decoder = await libjpegTurbo();
  decoder.getEncodedBuffer(stream.length).set(stream);
  try {
    decoder.decode();
  } catch (err) {
    // A fresh decoder next time: a failed decode may leave this one (or its module) unusable.
    wasmDecoder = undefined;
    // libjpeg errors surface as a thrown C++ exception pointer: a number, not an Error.
    throw new Error(`corrupt JPEG data${err instanceof Error ? `: ${err.message}` : ''}`, { cause: err });
  }
  const info = decoder.getFrameInfo();
  const length = info.width * info.height * info.componentCount;
  const decoded = decoder.getDecodedBuffer().subarray(0, length);
  const target = output?.(length);
  const samples = target ? (target.set(decoded), target) : decoded.slice();
  return { samples, width: info.width, height: info.height, components: info.componentCount };
}
