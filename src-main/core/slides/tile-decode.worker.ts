// Decode worker: turns compressed TIFF tiles into RGB off the main thread (see decode-pool.ts and decode-protocol.ts).
// Each message carries several tiles and is answered by one message with all of them.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { reduceTile } from './box-reduce';
import { decodeTile } from './codecs/decode-tile';
import { warmJpegDecoder } from './codecs/jpeg';
import { rememberCodec, type DecodeMessage, type DecodeReply, type DecodeRequest, type DecodeResponse, type FileSpan } from './decode-protocol';
import type { RgbImage } from './slide-source';
import type { TileCodec } from './tiff/tiff-image';

const port = parentPort;
if (!port) throw new Error('tile-decode.worker must run as a worker thread');

/** Codecs by the pool's ids: each is sent once, with the first tile that uses it. */
const codecs = new Map<number, TileCodec>();
/** Buffers the pool sent back (tiles its cache let go), by size: reused for tiles of that size. */
const spare = new Map<number, ArrayBuffer[]>();
/** Spare buffers kept per size; the pool never sends many more than a message's tiles. */
const MAX_SPARE = 32;

function keepSpare(buffer: ArrayBuffer): void {
  const list = spare.get(buffer.byteLength) ?? [];
  if (list.length < MAX_SPARE) list.push(buffer);
  spare.set(buffer.byteLength, list);
}

function takeSpare(length: number): Uint8Array | undefined {
  const buffer = spare.get(length)?.pop();
  return buffer && new Uint8Array(buffer);
}

/**
 * Decodes into a recycled buffer when one of the tile's size is spare, so the pool's thread
 * allocates nothing: the JPEG decoder writes there itself; other codecs' pixels are copied in.
 */
async function decodeIntoSpare(bytes: Uint8Array, codec: TileCodec): Promise<RgbImage> {
  let offered: Uint8Array | undefined;
  const image = await decodeTile(bytes, codec, (length) => (offered = takeSpare(length)));
  if (image.data === offered) return image;
  if (offered) keepSpare(offered.buffer as ArrayBuffer);
  const into = takeSpare(image.data.byteLength);
  if (!into) return image;
  into.set(image.data);
  return { ...image, data: into };
}

/**
 * A tile's bytes read here, on the worker's own thread: a blocking positional read costs this
 * thread what the main thread paid in two thread hand-offs, and never stalls the main thread's
 * event loop, however slow the disk or share.
 */
function readSpan(span: FileSpan): Uint8Array {
  const out = new Uint8Array(span.length);
  let done = 0;
  while (done < span.length) {
    const n = fs.readSync(span.fd, out, done, span.length - done, span.offset + done);
    if (n === 0) throw new Error('unexpected end of file');
    done += n;
  }
  return out;
}

async function decodeOne(request: DecodeRequest): Promise<DecodeResponse> {
  // Kept first, whatever happens to this tile: the pool counts the codec as sent.
  if (request.codec) rememberCodec(codecs, request.codecId, request.codec);
  let bytes: Uint8Array;
  try {
    bytes = request.bytes instanceof Uint8Array ? request.bytes : readSpan(request.bytes);
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err), readFailed: true };
  }
  try {
    const codec = codecs.get(request.codecId);
    if (!codec) throw new Error(`decode worker: codec ${request.codecId} was never sent`);
    const image = await decodeIntoSpare(bytes, codec);
    if (request.reduce) {
      const reduced = reduceTile(image, request.reduce);
      // The full tile stays here, the next decode's buffer.
      keepSpare(image.data.buffer as ArrayBuffer);
      return { id: request.id, width: reduced.width, height: reduced.height, data: reduced.data };
    }
    return { id: request.id, width: image.width, height: image.height, data: image.data };
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
}

port.on('message', (message: DecodeMessage) => {
  for (const buffer of message.recycle ?? []) keepSpare(buffer);
  void (async () => {
    if (message.warm) await warmJpegDecoder().catch(() => undefined); // a real decode reports any failure
    const reply: DecodeReply = [];
    // One at a time: the worker has one thread, and decodes keep their order.
    for (const request of message.requests) reply.push(await decodeOne(request));
    // Each decoded image is this worker's alone: transferred, not copied (a buffer listed twice would throw).
    const transfer = new Set(reply.flatMap((r) => (r.error === undefined ? [r.data.buffer as ArrayBuffer] : [])));
    port.postMessage(reply, [...transfer]);
  })();
});
