// Decode worker: turns compressed TIFF tiles into RGB off the main thread (see decode-pool.ts and decode-protocol.ts).
// Each message carries several tiles and is answered by one message with all of them.
import { parentPort } from 'node:worker_threads';
import { decodeTile } from './codecs/decode-tile';
import { rememberCodec, type DecodeMessage, type DecodeReply, type DecodeRequest, type DecodeResponse } from './decode-protocol';
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

/** The decoded pixels in a recycled buffer when one of their size is spare: the pool's thread then allocates nothing. */
function intoSpare(data: Uint8Array): Uint8Array {
  const buffer = spare.get(data.byteLength)?.pop();
  if (!buffer) return data;
  const out = new Uint8Array(buffer);
  out.set(data);
  return out;
}

async function decodeOne(request: DecodeRequest): Promise<DecodeResponse> {
  try {
    if (request.codec) rememberCodec(codecs, request.codecId, request.codec);
    const codec = codecs.get(request.codecId);
    if (!codec) throw new Error(`decode worker: codec ${request.codecId} was never sent`);
    const image = await decodeTile(request.bytes, codec);
    return { id: request.id, width: image.width, height: image.height, data: intoSpare(image.data) };
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
}

port.on('message', (message: DecodeMessage) => {
  for (const buffer of message.recycle ?? []) keepSpare(buffer);
  void (async () => {
    const reply: DecodeReply = [];
    // One at a time: the worker has one thread, and decodes keep their order.
    for (const request of message.requests) reply.push(await decodeOne(request));
    // Each decoded image is this worker's alone: transferred, not copied (a buffer listed twice would throw).
    const transfer = new Set(reply.flatMap((r) => (r.error === undefined ? [r.data.buffer as ArrayBuffer] : [])));
    port.postMessage(reply, [...transfer]);
  })();
});
