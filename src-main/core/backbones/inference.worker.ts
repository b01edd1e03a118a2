// Inference worker: owns one ONNX Runtime session. onnxruntime-node runs a session synchronously on
// the calling JavaScript thread, so a session on the main thread blocks tile reading and batch
// assembly for the whole run; here it blocks only this thread (see worker-embedder.ts).
import { parentPort } from 'node:worker_threads';
import { HistoError } from '../errors';
import { Embedder } from './embedder';
import type { InferenceRequest, InferenceResponse } from './inference-protocol';

const port = parentPort;
if (!port) throw new Error('inference.worker must run as a worker thread');

let embedder: Embedder | undefined;

function failure(id: number | null, err: unknown): InferenceResponse {
  const code = err instanceof HistoError ? err.code : 'BAD_INPUT';
  return { type: 'failed', id, code, message: err instanceof Error ? err.message : String(err) };
}

port.on('message', (request: InferenceRequest) => {
  if (request.type === 'open') {
    Embedder.open(request.file, request.spec, request.options).then(
      (opened) => {
        embedder = opened;
        port.postMessage({ type: 'opened', provider: opened.provider } satisfies InferenceResponse);
      },
      (err: unknown) => port.postMessage(failure(null, err)),
    );
  } else if (request.type === 'embed') {
    const { id, input, count } = request;
    const shared = input.buffer instanceof SharedArrayBuffer;
    if (!embedder) {
      port.postMessage(failure(id, new Error('the inference session is not open')), shared ? [] : [input.buffer as ArrayBuffer]);
      return;
    }
    embedder
      .embed(input, count)
      .then((output) => {
        // The output may live in memory ONNX Runtime owns, which cannot be transferred: it is
        // small (count x dim), so it is copied; the large input goes back without a copy (or,
        // shared, stays where it is).
        const response: InferenceResponse = { type: 'embedded', id, output, input: shared ? null : input };
        port.postMessage(response, shared ? [] : [input.buffer as ArrayBuffer]);
      })
      .catch((err: unknown) => {
        const detached = shared || input.byteLength === 0;
        port.postMessage({ ...failure(id, err), ...(detached ? {} : { input }) }, detached ? [] : [input.buffer as ArrayBuffer]);
      });
  } else {
    const closing = embedder?.close() ?? Promise.resolve();
    void closing.finally(() => port.postMessage({ type: 'closed' } satisfies InferenceResponse));
  }
});
