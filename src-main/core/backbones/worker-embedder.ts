import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ExecutionProviderName } from '../../../src-shared/contract';
import { workerScript } from '../app-root';
import { HistoError } from '../errors';
import type { BackboneSpec } from './backbone-spec';
import { Embedder, isShared, type EmbedderOptions, type TileBatch } from './embedder';
import type { InferenceRequest, InferenceResponse, TileEmbedder } from './inference-protocol';
import { EmbedderPool } from './embedder-pool';
import { planSessions } from './session-plan';
import { autoExecutionProviders } from '../runtime/execution-providers';

interface Pending {
  resolve: (value: { output: Float32Array; input: TileBatch | null }) => void;
  reject: (err: Error) => void;
}

/**
 * A backbone session on its own worker thread (inference.worker.ts). Batches travel as
 * transferred buffers, so nothing is copied, and the calling thread keeps reading and
 * normalising the next tiles while this one runs: the pipeline overlaps for real.
 */
export class WorkerEmbedder implements TileEmbedder {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  readonly parallelism = 1;

  private constructor(
    private readonly worker: Worker,
    readonly provider: ExecutionProviderName,
    readonly dim: number,
  ) {
    worker.on('message', (message: InferenceResponse) => {
      if (message.type !== 'embedded' && message.type !== 'failed') return;
      if (message.id === null) return;
      const task = this.pending.get(message.id);
      if (!task) return;
      this.pending.delete(message.id);
      if (message.type === 'embedded') task.resolve({ output: message.output, input: message.input });
      else task.reject(new HistoError(message.code, message.message));
    });
    const fail = (err: Error) => {
      this.failure ??= new HistoError('INTERNAL', `inference worker failed: ${err.message}`);
      for (const task of this.pending.values()) task.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
  }

  static async open(script: string, file: string, spec: BackboneSpec, options: EmbedderOptions): Promise<WorkerEmbedder> {
    const worker = new Worker(script);
    let onMessage: (message: InferenceResponse) => void = () => undefined;
    let onExit: (code: number) => void = () => undefined;
    let onError: (err: Error) => void = () => undefined;
    const provider = await new Promise<ExecutionProviderName>((resolve, reject) => {
      onMessage = (message) => {
        if (message.type === 'opened') resolve(message.provider);
        else if (message.type === 'failed' && message.id === null) reject(new HistoError(message.code, message.message));
      };
      onExit = (code) => reject(new HistoError('INTERNAL', `${file}: inference worker exited (code ${code}) while loading the model`));
      worker.on('message', onMessage);
      onError = reject;
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'open', file, spec, options } satisfies InferenceRequest);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    worker.off('message', onMessage);
    worker.off('exit', onExit);
    worker.off('error', onError);
    return new WorkerEmbedder(worker, provider, spec.dim);
  }

  embedBuffer<T extends TileBatch>(input: T, count: number): Promise<{ output: Float32Array; input: T }> {
    if (this.closing) return Promise.reject(new HistoError('BAD_INPUT', 'the backbone session is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<{ output: Float32Array; input: T }>((resolve, reject) => {
      if (isShared(input)) {
        // Shared memory goes to the worker without moving: nothing comes back but the output, so
        // this thread allocates nothing per batch (and its collector has nothing to collect).
        this.pending.set(id, { resolve: ({ output }) => resolve({ output, input }), reject });
        this.worker.postMessage({ type: 'embed', id, input, count } satisfies InferenceRequest);
        return;
      }
      // The worker hands back the buffer it was sent: the same kind of array as `input`.
      this.pending.set(id, { resolve: (value) => resolve(value as { output: Float32Array; input: T }), reject });
      const whole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength;
      const sent = whole ? input : input.slice();
      this.worker.postMessage({ type: 'embed', id, input: sent, count } satisfies InferenceRequest, [sent.buffer as ArrayBuffer]);
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.failure) {
        await new Promise<void>((resolve) => {
          this.worker.on('message', (message: InferenceResponse) => message.type === 'closed' && resolve());
          this.worker.once('exit', () => resolve());
          this.worker.postMessage({ type: 'close' } satisfies InferenceRequest);
        });
      }
      await this.worker.terminate();
    })();
    return this.closing;
  }
}

/** The same interface over a session on the calling thread: used where no worker bundle is built. */
class InThreadEmbedder implements TileEmbedder {
  readonly parallelism = 1;

  constructor(private readonly embedder: Embedder) {}

  get provider(): ExecutionProviderName {
    return this.embedder.provider;
  }

  get dim(): number {
    return this.embedder.dim;
  }

  async embedBuffer<T extends TileBatch>(input: T, count: number): Promise<{ output: Float32Array; input: T }> {
    return { output: await this.embedder.embed(input, count), input };
  }

  close(): Promise<void> {
    return this.embedder.close();
  }
}

function inferenceWorkerScript(): string | null {
  try {
    const script = workerScript('inference');
    return fs.existsSync(script) ? script : null;
  } catch {
    return null;
  }
}

/**
 * Opens a backbone for the extraction pipeline: on worker threads when the worker bundle is built
 * (the app, the CLI, tests after a build), else on this thread. A light model on the CPU runs as
 * one single-threaded session per core (see planSessions). HISTO_INFERENCE_THREAD=caller forces
 * one session on the calling thread (bench:embed compares the two in one run).
 */
export async function openTileEmbedder(file: string, spec: BackboneSpec, options: EmbedderOptions = {}): Promise<TileEmbedder> {
  const script = process.env.HISTO_INFERENCE_THREAD === 'caller' ? null : inferenceWorkerScript();
  if (!script) return new InThreadEmbedder(await Embedder.open(file, spec, options));
  const plan = planSessions({
    modelBytes: fs.statSync(file).size,
    provider: options.provider ?? 'auto',
    candidates: autoExecutionProviders(),
    intraOpThreads: options.intraOpThreads,
  });
  if (plan.sessions === 1) return WorkerEmbedder.open(script, file, spec, { ...options, intraOpThreads: plan.intraOpThreads });
  const memberOptions: EmbedderOptions = { ...options, provider: 'cpu', intraOpThreads: plan.intraOpThreads, runBatch: plan.runBatch };
  const opened = await Promise.allSettled(Array.from({ length: plan.sessions }, () => WorkerEmbedder.open(script, file, spec, memberOptions)));
  const members = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failure = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) {
    await Promise.all(members.map((m) => m.close()));
    throw failure.reason;
  }
  return new EmbedderPool(members);
}
