import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { HistoError } from '../errors';
import { nodeRequire } from '../node-require';
import { HELPER_SOURCE, MAX_RANK } from './sync-ort-helper';

/**
 * An ONNX Runtime session called synchronously. The heads are fitted by synchronous code (cross-
 * validation, searches and learning curves call them in loops), but ONNX Runtime's Node binding
 * only runs asynchronously. So the session lives on a helper thread (sync-ort-helper.ts), inputs
 * and outputs live in SharedArrayBuffers both threads see, and `run` posts a generation number and
 * blocks on Atomics.wait until the helper has copied the outputs back: no message passing, no
 * allocation on the calling side, and the GEMMs run in ONNX Runtime's MLAS kernels on its own
 * intra-op threads. Helpers are pooled per process: ONNX Runtime loads once, and a graph run before
 * keeps its session.
 */
export type SyncOrtType = 'float32' | 'float64' | 'int32' | 'uint8';
type Shared = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface SyncOrtInput {
  name: string;
  type: SyncOrtType;
  /** Most elements any run passes. */
  capacity: number;
  /** Number of dimensions (the shape of each run is given to `run`). */
  rank: number;
  /** Data that every run reads unchanged: copied to the helper once, not before each run. */
  fixed?: Shared;
  /** An array over shared memory to use instead of a fresh one (several helpers working on one state). */
  shared?: Shared;
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
  /**
   * What one run means, when not one session.run over the inputs: the body of a function of
   * (ort, session, inputs, outputs) returning an async function, evaluated on the helper thread.
   * It sees fixed inputs as private arrays, the others and the outputs as the shared arrays.
   */
  driver?: string;
}

const ERROR_BYTES = 2048;
const STARTUP_MS = 120_000;
const RUN_MS = 600_000;
/** Idle helpers kept for the next session; more are stopped. */
const POOL_SIZE = 4;

/** One helper thread and its control block; serves one SyncOrt at a time. */
interface Helper {
  worker: Worker;
  port: MessagePort;
  ctrl: Int32Array;
  errorText: Uint8Array;
  generation: number;
  dead: boolean;
}

const idle: Helper[] = [];
/** Taken by a starting helper while it changes V8's (process-wide) flags: see sync-ort-helper.ts. */
const flagLock = new Int32Array(new SharedArrayBuffer(4));

function startHelper(): Helper {
  const { port1, port2 } = new MessageChannel();
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const errorText = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
  const worker = new Worker(HELPER_SOURCE, {
    eval: true,
    workerData: { ortPath: nodeRequire.resolve('onnxruntime-node'), port: port2, ctrl, errorText, flagLock },
    transferList: [port2],
  });
  const helper: Helper = { worker, port: port1, ctrl, errorText, generation: 0, dead: false };
  worker.unref();
  // The helper hands back its private copies on close: kept a moment for the next session's copies.
  port1.on('message', (buffers: unknown) => keepReturned(buffers));
  port1.unref();
  const die = (message: string): void => {
    helper.dead = true;
    const at = idle.indexOf(helper);
    if (at >= 0) idle.splice(at, 1);
    errorText.fill(0);
    errorText.set(new TextEncoder().encode(`helper thread: ${message}`).subarray(0, ERROR_BYTES));
    Atomics.store(ctrl, 2, 2);
    Atomics.notify(ctrl, 1);
  };
  worker.on('error', (err) => die(err.message));
  worker.on('exit', (code) => die(`exited (code ${code})`));
  return helper;
}

/**
 * Memory of closed sessions' fixed inputs, handed back by their helpers, for the next session's
 * copies. A fresh 61 MB copy of a 20k x 768 matrix took 31-37 ms, most of it the kernel mapping new
 * pages: about a quarter of a two-class logistic regression fit, which the next fit (the next fold,
 * the next candidate) paid again. Only large buffers, at most two, and let go once no session has
 * asked for one for a while, so an idle process does not hold them.
 */
const returned: ArrayBuffer[] = [];
const REUSE_MIN_BYTES = 4 * 2 ** 20;
const KEEP_RETURNED = 2;
const KEEP_RETURNED_MS = 2000;
let forgetReturned: NodeJS.Timeout | undefined;
let reusedCopies = 0;

function keepReturned(message: unknown): void {
  if (!Array.isArray(message)) return;
  for (const buffer of message) {
    if (buffer instanceof ArrayBuffer && buffer.byteLength >= REUSE_MIN_BYTES) returned.push(buffer);
  }
  returned.sort((a, b) => b.byteLength - a.byteLength).splice(KEEP_RETURNED);
  clearTimeout(forgetReturned);
  forgetReturned = setTimeout(() => returned.splice(0), KEEP_RETURNED_MS).unref();
}

/** A private copy of a fixed input for the helper, in returned memory when some fits. */
function fixedCopy(fixed: Shared): Shared {
  // Synchronous callers (cross-validation folds) never yield to the event loop: collect here what the
  // pooled helpers handed back since.
  for (const helper of idle) {
    for (let msg = receiveMessageOnPort(helper.port); msg; msg = receiveMessageOnPort(helper.port)) keepReturned(msg.message);
  }
  const bytes = fixed.byteLength;
  // The smallest that fits, and not one more than twice the size: a small input does not pin a large buffer.
  const at = bytes < REUSE_MIN_BYTES ? -1 : returned.findLastIndex((b) => b.byteLength >= bytes && b.byteLength <= 2 * bytes);
  if (at < 0) return fixed.slice();
  const [buffer] = returned.splice(at, 1);
  const Type = fixed.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => Shared;
  const copy = new Type(buffer!, 0, fixed.length);
  copy.set(fixed);
  reusedCopies++;
  return copy;
}

/** How many fixed inputs went over in returned memory (for tests and diagnostics). */
export function reusedFixedCopies(): number {
  return reusedCopies;
}

function wake(helper: Helper): void {
  Atomics.add(helper.ctrl, 0, 1);
  Atomics.notify(helper.ctrl, 0);
}

function sharedArray(type: SyncOrtType, length: number): Shared {
  switch (type) {
    case 'float32':
      return new Float32Array(new SharedArrayBuffer(length * 4));
    case 'float64':
      return new Float64Array(new SharedArrayBuffer(length * 8));
    case 'int32':
      return new Int32Array(new SharedArrayBuffer(length * 4));
    case 'uint8':
      return new Uint8Array(new SharedArrayBuffer(length));
  }
}

export class SyncOrt {
  /** Write each run's inputs here (row-major, from index 0). */
  readonly inputs: Record<string, Shared> = {};
  /** Each run's outputs, from index 0. */
  readonly outputs: Record<string, Shared> = {};
  private readonly shapes: Int32Array;
  private readonly helper: Helper;
  private readonly ranks: Map<string, { index: number; rank: number }> = new Map();
  private closed = false;
  private ready = false;

  constructor(private readonly spec: SyncOrtSpec) {
    this.shapes = new Int32Array(new SharedArrayBuffer(spec.inputs.length * MAX_RANK * 4));
    const transfer: ArrayBuffer[] = [];
    const inputs = spec.inputs.map((input, index) => {
      if (input.rank < 1 || input.rank > MAX_RANK) throw new HistoError('INTERNAL', `${spec.what}: input ${input.name} has rank ${input.rank}`);
      this.ranks.set(input.name, { index, rank: input.rank });
      if (!input.fixed) {
        const data = input.shared ?? sharedArray(input.type, input.capacity);
        this.inputs[input.name] = data;
        return { name: input.name, type: input.type, rank: input.rank, data, fixed: false };
      }
      // A fixed input goes over as a private copy, moved (not cloned) to the helper.
      this.inputs[input.name] = input.fixed.subarray(0, input.capacity);
      const copy = fixedCopy(input.fixed.subarray(0, input.capacity));
      transfer.push(copy.buffer as ArrayBuffer);
      return { name: input.name, type: input.type, rank: input.rank, data: copy, fixed: true };
    });
    const outputs = spec.outputs.map((output) => {
      const data = sharedArray(output.type, output.capacity);
      this.outputs[output.name] = data;
      return { name: output.name, data };
    });
    this.helper = idle.pop() ?? startHelper();
    Atomics.store(this.helper.ctrl, 2, 0);
    this.helper.port.postMessage({ type: 'open', model: spec.model, threads: spec.threads, inputs, outputs, shapes: this.shapes, driver: spec.driver }, transfer);
    wake(this.helper);
  }

  /** The helper opens the session while the caller goes on; the first run waits for it here. */
  private waitReady(): void {
    const { ctrl } = this.helper;
    const started = Date.now();
    while (Atomics.load(ctrl, 2) === 0) {
      Atomics.wait(ctrl, 1, Atomics.load(ctrl, 1), 1000);
      if (Date.now() - started > STARTUP_MS) {
        this.close();
        throw new HistoError('INTERNAL', `${this.spec.what}: ONNX Runtime did not start within ${STARTUP_MS / 1000} s`);
      }
    }
    this.ready = true;
    this.throwIfFailed('could not start ONNX Runtime');
  }

  /** Runs the model on the inputs' current contents with these shapes; outputs are ready on return. */
  run(shapes: Record<string, readonly number[]> = {}): void {
    this.start(shapes);
    this.wait();
  }

  /** Starts a run and returns at once (several helpers working together); wait() for its end. */
  start(shapes: Record<string, readonly number[]> = {}): void {
    if (this.closed) throw new HistoError('INTERNAL', `${this.spec.what}: ONNX Runtime session used after close`);
    if (!this.ready) this.waitReady();
    for (const [name, dims] of Object.entries(shapes)) {
      const slot = this.ranks.get(name);
      if (!slot || dims.length !== slot.rank) throw new HistoError('INTERNAL', `${this.spec.what}: bad shape for input ${name}`);
      for (let d = 0; d < dims.length; d++) this.shapes[slot.index * MAX_RANK + d] = dims[d]!;
    }
    Atomics.store(this.helper.ctrl, 3, ++this.helper.generation);
    wake(this.helper);
  }

  /** Waits for the run start() began; throws what it failed with. */
  wait(): void {
    const { ctrl } = this.helper;
    const generation = this.helper.generation;
    const started = Date.now();
    while (Atomics.load(ctrl, 1) !== generation) {
      if (Atomics.load(ctrl, 2) === 2) break;
      Atomics.wait(ctrl, 1, Atomics.load(ctrl, 1), 1000);
      if (Date.now() - started > RUN_MS) {
        // The helper is still busy with this run: it cannot serve anyone else.
        this.helper.dead = true;
        this.closed = true;
        void this.helper.worker.terminate();
        throw new HistoError('INTERNAL', `${this.spec.what}: ONNX Runtime stopped answering`);
      }
    }
    this.throwIfFailed('ONNX Runtime failed');
  }

  private throwIfFailed(what: string): void {
    const { ctrl, errorText } = this.helper;
    if (Atomics.load(ctrl, 2) !== 2) return;
    const end = errorText.indexOf(0);
    const message = new TextDecoder().decode(errorText.slice(0, end < 0 ? ERROR_BYTES : end));
    this.close();
    throw new HistoError('INTERNAL', `${this.spec.what}: ${what}: ${message}`);
  }

  /** Hands the helper back to the pool (its session stays cached there); the data is let go. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const helper = this.helper;
    if (helper.dead) return;
    if (idle.length >= POOL_SIZE) {
      helper.dead = true;
      helper.port.postMessage({ type: 'stop' });
      wake(helper);
      return;
    }
    helper.port.postMessage({ type: 'close' });
    wake(helper);
    idle.push(helper);
  }
}

/** Helpers waiting in the pool (for tests and diagnostics). */
export function idleHelperCount(): number {
  return idle.length;
}
