import { nodeRequire } from '../../node-require';

interface J2kFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

interface J2kDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): J2kFrameInfo;
  delete?(): void;
}

interface OpenJpegModule {
  J2KDecoder: new () => J2kDecoder;
}

let modulePromise: Promise<OpenJpegModule> | undefined;

/** The OpenJPEG WebAssembly build, loaded once per thread with its console chatter silenced. */
function openJpeg(): Promise<OpenJpegModule> {
  if (!modulePromise) {
    const factory = nodeRequire('@cornerstonejs/codec-openjpeg/decodewasmjs') as (opts: object) => Promise<OpenJpegModule>;
    const quiet = (): void => {};
    modulePromise = factory({ print: quiet, printErr: quiet });
  }
  return modulePromise;
}

/** The raw codestream inside a JP2 file (its jp2c box), or the input when it is already a codestream. */
function codestream(data: Uint8Array): Uint8Array {
  if (data[0] === 0xff && data[1] === 0x4f) return data;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at + 8 <= data.length) {
    let size = view.getUint32(at);
    const type = view.getUint32(at + 4);
    let header = 8;
    if (size === 1) {
      if (at + 16 > data.length) break;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = data.length - at;
    }
    if (type === 0x6a703263 /* jp2c */) return data.subarray(at + header, Math.min(data.length, at + size));
    if (size < header) break;
    at += size;
  }
  throw new Error('not a JPEG 2000 codestream');
}

/**
 * The image size and sample format from a codestream's SIZ marker segment, which must follow SOC.
 * Read by us, before OpenJPEG allocates anything from it.
 */
function readSiz(stream: Uint8Array): { width: number; height: number; components: number; eightBit: boolean } {
  if (stream.length < 42 || stream[0] !== 0xff || stream[1] !== 0x4f || stream[2] !== 0xff || stream[3] !== 0x51) {
    throw new Error('JPEG 2000 codestream does not start with SOC and SIZ markers');
  }
  const v = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const width = v.getUint32(8) - v.getUint32(16);
  const height = v.getUint32(12) - v.getUint32(20);
  const components = v.getUint16(40);
  let eightBit = true;
  for (let c = 0; c < components; c++) {
    const at = 42 + c * 3;
    if (at >= stream.length || stream[at] !== 7) eightBit = false;
  }
  return { width, height, components, eightBit };
}

/**
 * Decodes one JPEG 2000 tile to interleaved 8-bit samples of the expected size. The header is
 * read first so a tile claiming other dimensions is rejected before any pixel memory is allocated.
 */
export async function decodeJ2k(data: Uint8Array, width: number, height: number): Promise<{ samples: Uint8Array; components: number }> {
  const mod = await openJpeg();
  const decoder = new mod.J2KDecoder();
  try {
    const stream = codestream(data);
    const header = readSiz(stream);
    if (header.width !== width || header.height !== height) {
      throw new Error(`JPEG 2000 tile is ${header.width}x${header.height}, expected ${width}x${height}`);
    }
    if (header.components < 1 || header.components > 4) throw new Error(`JPEG 2000 tile has ${header.components} components`);
    if (!header.eightBit) throw new Error('JPEG 2000 tile does not have unsigned 8-bit samples');
    decoder.getEncodedBuffer(stream.length).set(stream);
    try {
      decoder.decode();
    } catch (err) {
      // An aborted wasm module stays aborted: load a fresh one next time.
      modulePromise = undefined;
      throw new Error(`corrupt JPEG 2000 data${err instanceof Error ? `: ${err.message}` : ''}`, { cause: err });
    }
    const info = decoder.getFrameInfo();
    const decoded = decoder.getDecodedBuffer();
    const components = info.componentCount;
    if (decoded.length < width * height * components) throw new Error('JPEG 2000 tile decoded to too few samples');
    return { samples: decoded.slice(0, width * height * components), components };
  } finally {
    decoder.delete?.();
  }
}
