// Decode worker: turns compressed TIFF tiles into RGB off the main thread (see decode-pool.ts).
import { parentPort } from 'node:worker_threads';
import { decodeTile } from './codecs/decode-tile';
import type { DecodeRequest, DecodeResponse } from './decode-pool';

const port = parentPort;
if (!port) throw new Error('tile-decode.worker must run as a worker thread');

port.on('message', (request: DecodeRequest) => {
  decodeTile(request.bytes, request.codec).then(
    (image) => {
      const response: DecodeResponse = { id: request.id, width: image.width, height: image.height, data: image.data };
      port.postMessage(response, [image.data.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      const response: DecodeResponse = { id: request.id, error: err instanceof Error ? err.message : String(err) };
      port.postMessage(response);
    },
  );
});
