import { mlpForwardGraph, mlpGradientGraph } from './mlp-graph';
import { SyncOrt } from './sync-ort';

/** A layer's float64 master weights, as the optimiser keeps them. */
export interface MlpWeights {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/** Rows per forward run when only probabilities are wanted (validation loss). */
export const FORWARD_CHUNK = 2048;

/**
 * The MLP's gradients and probabilities computed by ONNX Runtime (mlp-graph.ts) on `threads`
 * intra-op threads. Row gathers, dropout masks and the optimiser stay in JavaScript, so every
 * random draw and every weight update is the same whatever the thread count; MLAS splits its GEMMs
 * over output blocks, not over the summed dimension, so the thread count does not change the sums.
 */
export class MlpOrtEngine {
  private readonly gradient: SyncOrt;
  private readonly forward: SyncOrt;
  private readonly L: number;

  constructor(
    private readonly sizes: readonly number[],
    batch: number,
    threads: number,
  ) {
    const L = sizes.length - 1;
    this.L = L;
    const dim = sizes[0]!;
    const k = sizes[L]!;
    const weights = (capacityRows: number) => [
      { name: 'x', type: 'float32' as const, capacity: capacityRows * dim, rank: 2 },
      ...Array.from({ length: L }, (_, l) => [
        { name: `w${l}`, type: 'float32' as const, capacity: sizes[l]! * sizes[l + 1]!, rank: 2 },
        { name: `b${l}`, type: 'float32' as const, capacity: sizes[l + 1]!, rank: 1 },
      ]).flat(),
    ];
    this.gradient = new SyncOrt({
      what: 'mlp',
      model: mlpGradientGraph(sizes),
      threads,
      inputs: [
        ...weights(batch),
        { name: 'target', type: 'float32', capacity: batch * k, rank: 2 },
        { name: 'rowScale', type: 'float32', capacity: batch, rank: 2 },
        ...Array.from({ length: L - 1 }, (_, i) => ({ name: `mask${i + 1}`, type: 'float32' as const, capacity: batch * sizes[i + 1]!, rank: 2 })),
      ],
      outputs: Array.from({ length: L }, (_, l) => [
        { name: `gw${l}`, type: 'float32' as const, capacity: sizes[l]! * sizes[l + 1]! },
        { name: `gb${l}`, type: 'float32' as const, capacity: sizes[l + 1]! },
      ]).flat(),
    });
    try {
      this.forward = new SyncOrt({ what: 'mlp', model: mlpForwardGraph(sizes), threads, inputs: weights(FORWARD_CHUNK), outputs: [{ name: 'probs', type: 'float32', capacity: FORWARD_CHUNK * k }] });
    } catch (err) {
      this.gradient.close();
      throw err;
    }
  }

  /** Mask buffer of hidden layer l (1-based) for the next gradient run: m rows of dropout factors. */
  mask(l: number): Float32Array {
    return this.gradient.inputs[`mask${l}`] as Float32Array;
  }

  private load(session: SyncOrt, layers: readonly MlpWeights[], x: Float32Array, rows: Int32Array, start: number, m: number): Record<string, number[]> {
    const dim = this.sizes[0]!;
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
    return shapes;
  }

  /**
   * Gradients of the batch rows[start .. start+m) into gw/gb (overwritten). rowScale[i]: the row's
   * weight over the batch's weight sum; the masks were written through mask() before.
   */
  gradients(
    layers: readonly MlpWeights[],
    x: Float32Array,
    rows: Int32Array,
    start: number,
    m: number,
    labels: Int32Array,
    rowScale: Float64Array,
    gw: Float64Array[],
    gb: Float64Array[],
  ): void {
    const k = this.sizes[this.L]!;
    const shapes = this.load(this.gradient, layers, x, rows, start, m);
    const target = this.gradient.inputs.target!;
    const scale = this.gradient.inputs.rowScale!;
    target.fill(0, 0, m * k);
    for (let i = 0; i < m; i++) {
      scale[i] = rowScale[i]!;
      target[i * k + labels[rows[start + i]!]!] = rowScale[i]!;
    }
    shapes.target = [m, k];
    shapes.rowScale = [m, 1];
    for (let l = 1; l < this.L; l++) shapes[`mask${l}`] = [m, this.sizes[l]!];
    this.gradient.run(shapes);
    for (let l = 0; l < this.L; l++) {
      for (const [into, name] of [[gw[l]!, `gw${l}`], [gb[l]!, `gb${l}`]] as const) {
        const from = this.gradient.outputs[name]!;
        for (let t = 0; t < into.length; t++) into[t] = from[t]!;
      }
    }
  }

  /** Probabilities of rows[start .. start+m) (m <= FORWARD_CHUNK), m * k row-major; valid until the next call. */
  probabilities(layers: readonly MlpWeights[], x: Float32Array, rows: Int32Array, start: number, m: number): Float32Array {
    this.forward.run(this.load(this.forward, layers, x, rows, start, m));
    return this.forward.outputs.probs as Float32Array;
  }

  close(): void {
    this.gradient.close();
    this.forward.close();
  }
}
