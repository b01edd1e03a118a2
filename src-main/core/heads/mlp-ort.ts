import { EPOCH_PARAMS, GRADIENT_SHARDS, mlpEpochDriver } from './mlp-epoch-driver';
import { mlpForwardGraph, mlpGradientGraph } from './mlp-graph';
import { SyncOrt, type SyncOrtInput } from './sync-ort';

/** A layer's float64 master weights, as the optimiser keeps them. */
export interface MlpWeights {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/** Rows per forward run when only probabilities are wanted (validation loss). */
export const FORWARD_CHUNK = 2048;

/** What the calling thread decides for an epoch: the order of the rows and every random draw. */
export interface EpochPlan {
  /** Training rows in this epoch's order (indices into x). */
  order: Int32Array;
  /** Per position in `order`: the row's weight over its minibatch's weight sum. */
  rowScale: Float32Array;
  /** Per position in `order`, per hidden layer l (1-based) of h units: 1 where the unit is kept. */
  masks: Uint8Array[];
}

type SharedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * The MLP's training epochs and probabilities computed by ONNX Runtime. Training is data-parallel
 * over up to GRADIENT_SHARDS helper threads (mlp-epoch-driver.ts): each computes the gradients of
 * its row shards of every minibatch on one intra-op thread, then its range of the Adam update;
 * the calling thread only plans each epoch. Row orders and dropout draws come from that plan and
 * the shards and sums are fixed, so the weights are the same bits whatever the thread count. The
 * master weights live in shared memory: `layers`.
 */
export class MlpOrtEngine {
  /** The master weights (and biases) the epochs update, in shared memory; start as the given ones. */
  readonly layers: MlpWeights[];
  /** The plan of the next epoch: fill before calling epoch(). */
  readonly plan: EpochPlan;
  private readonly trainers: SyncOrt[] = [];
  private readonly forward: SyncOrt;
  private readonly L: number;
  private readonly target: Float32Array;
  private readonly params: Float64Array;
  private readonly barrier: Int32Array;

  constructor(
    private readonly sizes: readonly number[],
    initial: readonly MlpWeights[],
    x: Float32Array,
    n: number,
    trainRows: number,
    threads: number,
  ) {
    const L = sizes.length - 1;
    this.L = L;
    const dim = sizes[0]!;
    const k = sizes[L]!;
    const arrays: Record<string, SharedArray> = {};
    const f32 = (name: string, length: number) => (arrays[name] = new Float32Array(new SharedArrayBuffer(length * 4)));
    const f64 = (name: string, length: number) => (arrays[name] = new Float64Array(new SharedArrayBuffer(length * 8)));
    // The rows once in shared memory: every helper gathers its shards from this one copy.
    f32('x', n * dim).set(x.subarray(0, n * dim));
    arrays.order = new Int32Array(new SharedArrayBuffer(trainRows * 4));
    f32('rowScale', trainRows);
    this.target = f32('target', trainRows * k);
    for (let l = 1; l < L; l++) arrays[`mask${l}`] = new Uint8Array(new SharedArrayBuffer(trainRows * sizes[l]!));
    this.params = f64('params', 8);
    this.barrier = arrays.barrier = new Int32Array(new SharedArrayBuffer(12));
    const tensors: Array<[string, number]> = [];
    for (let l = 0; l < L; l++) tensors.push([`w${l}`, sizes[l]! * sizes[l + 1]!], [`b${l}`, sizes[l + 1]!]);
    for (const [name, length] of tensors) {
      f64(name, length);
      f32(`f_${name}`, length);
      f64(`m_${name}`, length);
      f64(`v_${name}`, length);
      for (let s = 0; s < GRADIENT_SHARDS; s++) f32(`g${s}_${name}`, length);
    }
    this.layers = initial.map((layer, l) => {
      const w = arrays[`w${l}`] as Float64Array;
      const b = arrays[`b${l}`] as Float64Array;
      w.set(layer.w);
      b.set(layer.b);
      return { inputs: layer.inputs, outputs: layer.outputs, w, b };
    });
    this.plan = {
      order: arrays.order as Int32Array,
      rowScale: arrays.rowScale as Float32Array,
      masks: Array.from({ length: L - 1 }, (_, i) => arrays[`mask${i + 1}`] as Uint8Array),
    };
    const inputs: SyncOrtInput[] = Object.entries(arrays).map(([name, shared]) => ({
      name,
      type: shared instanceof Float32Array ? 'float32' : shared instanceof Float64Array ? 'float64' : shared instanceof Int32Array ? 'int32' : 'uint8',
      capacity: shared.length,
      rank: 1,
      shared,
    }));
    const helpers = Math.max(1, Math.min(threads, GRADIENT_SHARDS));
    const model = mlpGradientGraph(sizes, true); // each helper runs it on one intra-op thread
    try {
      for (let h = 0; h < helpers; h++) this.trainers.push(new SyncOrt({ what: 'mlp', model, threads: 1, driver: mlpEpochDriver(sizes, h, helpers), inputs, outputs: [] }));
      const weights = [
        { name: 'x', type: 'float32' as const, capacity: FORWARD_CHUNK * dim, rank: 2 },
        ...Array.from({ length: L }, (_, l) => [
          { name: `w${l}`, type: 'float32' as const, capacity: sizes[l]! * sizes[l + 1]!, rank: 2 },
          { name: `b${l}`, type: 'float32' as const, capacity: sizes[l + 1]!, rank: 1 },
        ]).flat(),
      ];
      this.forward = new SyncOrt({ what: 'mlp', model: mlpForwardGraph(sizes), threads, inputs: weights, outputs: [{ name: 'probs', type: 'float32', capacity: FORWARD_CHUNK * k }] });
    } catch (err) {
      for (const t of this.trainers) t.close();
      throw err;
    }
  }

  /**
   * One epoch of minibatches over the plan's rows (the plan filled before), Adam steps (L2 alpha = weightDecay) numbered
   * from step + 1; the labels give each row's target. Updates `layers` in place.
   */
  epoch(labels: Int32Array, batch: number, step: number, learningRate: number, weightDecay: number, dropout: number): void {
    const k = this.sizes[this.L]!;
    const { order, rowScale } = this.plan;
    const target = this.target;
    target.fill(0);
    for (let i = 0; i < order.length; i++) target[i * k + labels[order[i]!]!] = rowScale[i]!;
    const params = this.params;
    params[EPOCH_PARAMS.step] = step;
    params[EPOCH_PARAMS.learningRate] = learningRate;
    params[EPOCH_PARAMS.alpha] = weightDecay;
    params[EPOCH_PARAMS.batch] = batch;
    params[EPOCH_PARAMS.rows] = order.length;
    params[EPOCH_PARAMS.dropout] = dropout;
    const started: SyncOrt[] = [];
    let failure: unknown = null;
    try {
      for (const t of this.trainers) {
        t.start();
        started.push(t);
      }
    } catch (err) {
      // The helpers already started would wait for this one at their first barrier: stop them.
      failure = err;
      Atomics.store(this.barrier, 2, 1);
      Atomics.notify(this.barrier, 1);
    }
    for (const t of started) {
      try {
        t.wait();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }

  /** Probabilities of rows[start .. start+m) (m <= FORWARD_CHUNK), m * k row-major; valid until the next call. */
  probabilities(layers: readonly MlpWeights[], x: Float32Array, rows: Int32Array, start: number, m: number): Float32Array {
    const dim = this.sizes[0]!;
    const session = this.forward;
    const xIn = session.inputs.x!;
    for (let i = 0; i < m; i++) {
      const src = rows[start + i]! * dim;
      xIn.set(x.subarray(src, src + dim), i * dim);
    }
    const shapes: Record<string, number[]> = { x: [m, dim] };
    layers.forEach((layer, l) => {
      session.inputs[`w${l}`]!.set(layer.w);
      session.inputs[`b${l}`]!.set(layer.b);
      shapes[`w${l}`] = [layer.outputs, layer.inputs];
      shapes[`b${l}`] = [layer.outputs];
    });
    session.run(shapes);
    return session.outputs.probs as Float32Array;
  }

  close(): void {
    for (const t of this.trainers) t.close();
    this.forward.close();
  }
}
