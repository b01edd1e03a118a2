import { EPOCH_PARAMS, mlpEpochDriver } from './mlp-epoch-driver';
import { mlpForwardGraph, mlpTrainStepGraph } from './mlp-graph';
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

/**
 * The MLP's training epochs and probabilities computed by ONNX Runtime on `threads` intra-op
 * threads. A whole epoch runs on the helper thread (mlp-epoch-driver.ts): gradients by the graph
 * of mlp-graph.ts, AdamW in float64 beside it. Row orders and dropout draws come from the calling
 * thread's plan, so every random draw and every weight update is the same whatever the thread
 * count; MLAS splits its GEMMs over output blocks, not over the summed dimension, so the thread
 * count does not change the sums either. The master weights live in shared memory: `layers`.
 */
export class MlpOrtEngine {
  /** The master weights (and biases) the epochs update, in shared memory; start as the given ones. */
  readonly layers: MlpWeights[];
  /** The plan of the next epoch: fill before calling epoch(). */
  readonly plan: EpochPlan;
  private readonly trainer: SyncOrt;
  private readonly forward: SyncOrt;
  private readonly L: number;

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
    const vector = (name: string, type: SyncOrtInput['type'], capacity: number): SyncOrtInput => ({ name, type, capacity, rank: 1 });
    const perLayer = (prefix: string, size: (l: number) => number) => Array.from({ length: L }, (_, l) => vector(`${prefix}${l}`, 'float64', size(l)));
    const weightSize = (l: number) => sizes[l]! * sizes[l + 1]!;
    const biasSize = (l: number) => sizes[l + 1]!;
    this.trainer = new SyncOrt({
      what: 'mlp',
      model: mlpTrainStepGraph(sizes),
      threads,
      driver: mlpEpochDriver(sizes),
      inputs: [
        { name: 'x', type: 'float32', capacity: n * dim, rank: 1, fixed: x.subarray(0, n * dim) },
        vector('order', 'int32', trainRows),
        vector('rowScale', 'float32', trainRows),
        vector('target', 'float32', trainRows * k),
        ...Array.from({ length: L - 1 }, (_, i) => vector(`mask${i + 1}`, 'uint8', trainRows * sizes[i + 1]!)),
        vector('params', 'float64', 8),
        ...perLayer('w', weightSize),
        ...perLayer('b', biasSize),
      ],
      outputs: [],
    });
    const shared = this.trainer.inputs;
    this.layers = initial.map((layer, l) => {
      const w = shared[`w${l}`] as Float64Array;
      const b = shared[`b${l}`] as Float64Array;
      w.set(layer.w);
      b.set(layer.b);
      return { inputs: layer.inputs, outputs: layer.outputs, w, b };
    });
    this.plan = {
      order: shared.order as Int32Array,
      rowScale: shared.rowScale as Float32Array,
      masks: Array.from({ length: L - 1 }, (_, i) => shared[`mask${i + 1}`] as Uint8Array),
    };
    try {
      const weights = [
        { name: 'x', type: 'float32' as const, capacity: FORWARD_CHUNK * dim, rank: 2 },
        ...Array.from({ length: L }, (_, l) => [
          { name: `w${l}`, type: 'float32' as const, capacity: weightSize(l), rank: 2 },
          { name: `b${l}`, type: 'float32' as const, capacity: biasSize(l), rank: 1 },
        ]).flat(),
      ];
      this.forward = new SyncOrt({ what: 'mlp', model: mlpForwardGraph(sizes), threads, inputs: weights, outputs: [{ name: 'probs', type: 'float32', capacity: FORWARD_CHUNK * k }] });
    } catch (err) {
      this.trainer.close();
      throw err;
    }
  }

  /**
   * One epoch of minibatches over the plan's rows (the plan filled before), AdamW steps numbered
   * from step + 1; the labels give each row's target. Updates `layers` in place.
   */
  epoch(labels: Int32Array, batch: number, step: number, learningRate: number, weightDecay: number, dropout: number): void {
    const k = this.sizes[this.L]!;
    const { order, rowScale } = this.plan;
    const target = this.trainer.inputs.target!;
    target.fill(0);
    for (let i = 0; i < order.length; i++) target[i * k + labels[order[i]!]!] = rowScale[i]!;
    const params = this.trainer.inputs.params!;
    params[EPOCH_PARAMS.step] = step;
    params[EPOCH_PARAMS.learningRate] = learningRate;
    params[EPOCH_PARAMS.decay] = 1 - learningRate * weightDecay;
    params[EPOCH_PARAMS.batch] = batch;
    params[EPOCH_PARAMS.rows] = order.length;
    params[EPOCH_PARAMS.maskScale] = 1 / (1 - dropout);
    this.trainer.run();
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
    this.trainer.close();
    this.forward.close();
  }
}
