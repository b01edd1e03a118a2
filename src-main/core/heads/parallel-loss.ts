import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { HistoError } from '../errors';
import { compileRangeLoss, rangeLossSource } from './dense-kernels';

/**
 * The summed logistic loss and gradient over all rows, split into a fixed number of row shards
 * whose partial gradients are added in shard order. The shards do not depend on the thread count,
 * so one thread or many give bit-identical results (and identical head bytes on every machine);
 * threads only decide who computes which shard. Workers share x through a SharedArrayBuffer and
 * are driven with Atomics, so an evaluation costs no message passing and no allocation.
 */
export interface LossEvaluator {
  /** Clears grad, writes the summed gradient, returns the summed loss. */
  evaluate(theta: Float64Array, grad: Float64Array): number;
  readonly threads: number;
  close(): void;
}

const SHARDS = 8;
/** Below this many multiply-adds per evaluation, starting workers costs more than it saves. */
const PARALLEL_MIN_WORK = 8e6;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { source, x, y, weights, theta, shardGrads, shardLoss, ctrl, dim, bounds, shards } = workerData;
const rangeLoss = new Function(source)();
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  const generation = Atomics.load(ctrl, 0);
  if (generation < 0) break;
  seen = generation;
  try {
    for (const s of shards) {
      const grad = shardGrads[s];
      grad.fill(0);
      shardLoss[s] = rangeLoss(x, dim, y, weights, theta, grad, bounds[s], bounds[s + 1]);
    }
  } catch (err) {
    Atomics.store(ctrl, 2, 1);
  }
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
`;

function shared<T extends Float32Array | Float64Array | Int32Array>(source: T, make: (buffer: SharedArrayBuffer) => T): T {
  if (source.buffer instanceof SharedArrayBuffer) return source;
  const copy = make(new SharedArrayBuffer(source.byteLength));
  copy.set(source as never);
  return copy;
}

/** Threads for an evaluation of this size: HISTO_HEADS_THREADS overrides, else all cores (at most the shard count). */
export function defaultThreads(work: number): number {
  const env = Number(process.env.HISTO_HEADS_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, SHARDS);
  if (work < PARALLEL_MIN_WORK) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, SHARDS));
}

export function createLossEvaluator(x: Float32Array, n: number, dim: number, y: Int32Array, weights: Float64Array | null, outputs: number, threads?: number): LossEvaluator {
  const size = outputs * dim + outputs;
  const rangeLoss = compileRangeLoss(outputs);
  // Shard boundaries on multiples of 8 rows (the largest row block), so blocking is the same in every shard layout.
  const bounds = new Int32Array(SHARDS + 1);
  const per = Math.ceil(n / SHARDS / 8) * 8;
  for (let s = 0; s <= SHARDS; s++) bounds[s] = Math.min(n, s * per);
  const useThreads = Math.max(1, Math.min(threads ?? defaultThreads(n * dim * outputs * 2), SHARDS));

  if (useThreads === 1) {
    const shardGrad = new Float64Array(size);
    return {
      threads: 1,
      evaluate(theta, grad) {
        grad.fill(0);
        let loss = 0;
        for (let s = 0; s < SHARDS; s++) {
          shardGrad.fill(0);
          loss += rangeLoss(x, dim, y, weights, theta, shardGrad, bounds[s]!, bounds[s + 1]!);
          for (let p = 0; p < size; p++) grad[p] = grad[p]! + shardGrad[p]!;
        }
        return loss;
      },
      close() {},
    };
  }

  const sx = shared(x.subarray(0, n * dim), (b) => new Float32Array(b));
  const sy = shared(y.subarray(0, n), (b) => new Int32Array(b));
  const sw = weights ? shared(weights, (b) => new Float64Array(b)) : null;
  const theta = new Float64Array(new SharedArrayBuffer(size * 8));
  const shardGrads = Array.from({ length: SHARDS }, () => new Float64Array(new SharedArrayBuffer(size * 8)));
  const shardLoss = new Float64Array(new SharedArrayBuffer(SHARDS * 8));
  const ctrl = new Int32Array(new SharedArrayBuffer(16)); // generation, workers done, error flag
  const source = rangeLossSource(outputs);
  const mine: number[] = [];
  const workers: Worker[] = [];
  for (let t = 0; t < useThreads; t++) {
    const shards: number[] = [];
    for (let s = t; s < SHARDS; s += useThreads) shards.push(s);
    if (t === 0) {
      mine.push(...shards);
      continue;
    }
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { source, x: sx, y: sy, weights: sw, theta, shardGrads, shardLoss, ctrl, dim, bounds, shards } });
    worker.unref();
    worker.on('error', () => Atomics.store(ctrl, 2, 1));
    workers.push(worker);
  }
  let closed = false;
  return {
    threads: useThreads,
    evaluate(thetaIn, grad) {
      if (closed) throw new HistoError('INTERNAL', 'logistic regression: loss evaluator used after close');
      theta.set(thetaIn);
      Atomics.store(ctrl, 1, 0);
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
      for (const s of mine) {
        const g = shardGrads[s]!;
        g.fill(0);
        shardLoss[s] = rangeLoss(sx, dim, sy, sw, theta, g, bounds[s]!, bounds[s + 1]!);
      }
      const started = Date.now();
      for (;;) {
        const done = Atomics.load(ctrl, 1);
        if (done >= workers.length) break;
        if (Atomics.load(ctrl, 2) !== 0) throw new HistoError('INTERNAL', 'logistic regression: a worker thread failed');
        Atomics.wait(ctrl, 1, done, 1000);
        if (Date.now() - started > 600_000) throw new HistoError('INTERNAL', 'logistic regression: worker threads stopped answering');
      }
      if (Atomics.load(ctrl, 2) !== 0) throw new HistoError('INTERNAL', 'logistic regression: a worker thread failed');
      grad.fill(0);
      let loss = 0;
      for (let s = 0; s < SHARDS; s++) {
        const g = shardGrads[s]!;
        for (let p = 0; p < size; p++) grad[p] = grad[p]! + g[p]!;
        loss += shardLoss[s]!;
      }
      return loss;
    },
    close() {
      if (closed) return;
      closed = true;
      Atomics.store(ctrl, 0, -1);
      Atomics.notify(ctrl, 0);
      for (const w of workers) void w.terminate();
    },
  };
}
