import { Worker } from 'node:worker_threads';
import { HistoError } from '../errors';
import { nodeRequire } from '../node-require';

/**
 * An ONNX Runtime session called synchronously. The heads are fitted by synchronous code (cross-
 * validation, searches and learning curves call them in loops), but ONNX Runtime's Node binding
 * only runs asynchronously. So the session lives on a helper thread, inputs and outputs live in
 * SharedArrayBuffers both threads see, and `run` posts a generation number and blocks on
 * Atomics.wait until the helper has copied the outputs back: no message passing, no allocation on
 * the calling side, and the GEMMs run in ONNX Runtime's MLAS kernels on its own intra-op threads.
 */
export type SyncOrtType = 'float32' | 'float64';
type Shared = Float32Array | Float64Array;

export interface SyncOrtInput {
  name: string;
  type: SyncOrtType;
  /** Most elements any run passes. */
  capacity: number;
  /** Number of dimensions (the shape of each run is given to `run`). */
  rank: number;
  /** Data that every run reads unchanged: copied to the helper once, not before each run. */
  fixed?: Shared;
}

export interface SyncOrtOutput {
  name: string;
  type: SyncOrtType;
  capacity: number;
}

export interface SyncOrtSpec {
  /** Names the caller in error messages ("mlp", "logistic regression"). */
  what: string;
  model: Uint8Array;
  inputs: SyncOrtInput[];
  outputs: SyncOrtOutput[];
  /** ONNX Runtime intra-op threads. */
  threads: number;
}

const MAX_RANK = 4;
const ERROR_BYTES = 2048;
// ctrl: [0] generation requested (-1: stop), [1] generation done, [2] state (0 starting, 1 ready, 2 failed)
const STARTUP_MS = 120_000;
const RUN_MS = 600_000;

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { ortPath, model, threads, inputs, outputs, ctrl, shapes, errorText } = workerData;
let ort;
function fail(err) {
  const bytes = new TextEncoder().encode(String(err && err.message ? err.message : err)).subarray(0, errorText.length);
  errorText.fill(0);
  errorText.set(bytes);
  Atomics.store(ctrl, 2, 2);
}
(async () => {
  let session;
  try {
    ort = require(ortPath);
    session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      // Between two runs the caller updates weights: spinning threads would only take the core from it.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
    Atomics.store(ctrl, 2, 1);
  } catch (err) {
    fail(err);
  }
  Atomics.notify(ctrl, 1);
  if (!session) return;
  // ONNX Runtime refuses tensors over shared memory: each input gets a private copy, refreshed before
  // every run unless it is fixed (then copied once, here).
  const local = inputs.map((input) => {
    const own = input.type === 'float32' ? input.data instanceof Float32Array : input.data instanceof Float64Array;
    if (input.fixed && own && !(input.data.buffer instanceof SharedArrayBuffer)) return input.data;
    // (A fixed float64 input may be handed over as float32 and widened here, once.)
    const copy = input.type === 'float32' ? new Float32Array(input.data.length) : new Float64Array(input.data.length);
    if (input.fixed) copy.set(input.data);
    return copy;
  });
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, 0, seen);
    const generation = Atomics.load(ctrl, 0);
    if (generation < 0) break;
    seen = generation;
    try {
      const feeds = {};
      inputs.forEach((input, i) => {
        const dims = Array.from(shapes.subarray(i * ${MAX_RANK}, i * ${MAX_RANK} + input.rank));
        const count = dims.reduce((a, b) => a * b, 1);
        if (!input.fixed) local[i].set(input.data.subarray(0, count));
        feeds[input.name] = new ort.Tensor(input.type, local[i].subarray(0, count), dims);
      });
      const result = await session.run(feeds);
      for (const output of outputs) {
        const data = result[output.name].data;
        if (data.length > output.data.length) throw new Error('output ' + output.name + ' has ' + data.length + ' values, room for ' + output.data.length);
        output.data.set(data);
      }
    } catch (err) {
      fail(err);
    }
    Atomics.store(ctrl, 1, generation);
    Atomics.notify(ctrl, 1);
  }
  await session.release();
})();
`;

function sharedArray(type: SyncOrtType, length: number): Shared {
  return type === 'float32' ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float64Array(new SharedArrayBuffer(length * 8));
}

export class SyncOrt {
  /** Write each run's inputs here (row-major, from index 0). */
  readonly inputs: Record<string, Shared> = {};
  /** Each run's outputs, from index 0. */
  readonly outputs: Record<string, Shared> = {};
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(12));
  private readonly shapes: Int32Array;
  private readonly errorText = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
  private readonly worker: Worker;
  private readonly ranks: Map<string, { index: number; rank: number }> = new Map();
  private generation = 0;
  private closed = false;
  private ready = false;

  constructor(private readonly spec: SyncOrtSpec) {
    this.shapes = new Int32Array(new SharedArrayBuffer(spec.inputs.length * MAX_RANK * 4));
    const inputs = spec.inputs.map((input, index) => {
      if (input.rank < 1 || input.rank > MAX_RANK) throw new HistoError('INTERNAL', `${spec.what}: input ${input.name} has rank ${input.rank}`);
      this.ranks.set(input.name, { index, rank: input.rank });
      // A fixed input goes over as a plain structured clone (copied once); others share memory.
      const data = input.fixed ? input.fixed.subarray(0, input.capacity) : sharedArray(input.type, input.capacity);
      this.inputs[input.name] = data;
      return { name: input.name, type: input.type, rank: input.rank, data, fixed: input.fixed !== undefined };
    });
    const outputs = spec.outputs.map((output) => {
      const data = sharedArray(output.type, output.capacity);
      this.outputs[output.name] = data;
      return { name: output.name, data };
    });
    const ortPath = nodeRequire.resolve('onnxruntime-node');
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { ortPath, model: spec.model, threads: spec.threads, inputs, outputs, ctrl: this.ctrl, shapes: this.shapes, errorText: this.errorText },
    });
    this.worker.unref();
    this.worker.on('error', (err) => {
      const bytes = new TextEncoder().encode(`helper thread: ${err.message}`).subarray(0, ERROR_BYTES);
      this.errorText.set(bytes);
      Atomics.store(this.ctrl, 2, 2);
      Atomics.notify(this.ctrl, 1);
    });
  }

  /** The helper loads ONNX Runtime while the caller goes on; the first run waits for it here. */
  private waitReady(): void {
    const started = Date.now();
    while (Atomics.load(this.ctrl, 2) === 0) {
      Atomics.wait(this.ctrl, 1, 0, 1000);
      if (Date.now() - started > STARTUP_MS) {
        this.close();
        throw new HistoError('INTERNAL', `${this.spec.what}: ONNX Runtime did not start within ${STARTUP_MS / 1000} s`);
      }
    }
    this.ready = true;
    this.throwIfFailed('could not start ONNX Runtime');
  }

  /** Runs the model on the inputs' current contents with these shapes; outputs are ready on return. */
  run(shapes: Record<string, readonly number[]>): void {
    if (this.closed) throw new HistoError('INTERNAL', `${this.spec.what}: ONNX Runtime session used after close`);
    if (!this.ready) this.waitReady();
    for (const [name, dims] of Object.entries(shapes)) {
      const slot = this.ranks.get(name);
      if (!slot || dims.length !== slot.rank) throw new HistoError('INTERNAL', `${this.spec.what}: bad shape for input ${name}`);
      for (let d = 0; d < dims.length; d++) this.shapes[slot.index * MAX_RANK + d] = dims[d]!;
    }
    const generation = ++this.generation;
    Atomics.store(this.ctrl, 0, generation);
    Atomics.notify(this.ctrl, 0);
    const started = Date.now();
    while (Atomics.load(this.ctrl, 1) !== generation) {
      if (Atomics.load(this.ctrl, 2) === 2) break;
      Atomics.wait(this.ctrl, 1, generation - 1, 1000);
      if (Date.now() - started > RUN_MS) throw new HistoError('INTERNAL', `${this.spec.what}: ONNX Runtime stopped answering`);
    }
    this.throwIfFailed('ONNX Runtime failed');
  }

  private throwIfFailed(what: string): void {
    if (Atomics.load(this.ctrl, 2) !== 2) return;
    const end = this.errorText.indexOf(0);
    const message = new TextDecoder().decode(this.errorText.slice(0, end < 0 ? ERROR_BYTES : end));
    this.close();
    throw new HistoError('INTERNAL', `${this.spec.what}: ${what}: ${message}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, 0, -1);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}
