import type { InferenceSession } from 'onnxruntime-node';
import { createSession } from '../backbones/onnx-session';
import { GraphBuilder } from '../onnx/graph-builder';
import { loadOrt } from '../onnx/ort';

/**
 * A float32 matrix product (M x K) . (K x N) by ONNX Runtime's MatMul (MLAS GEMM, multi-threaded):
 * the covariance, projections and neighbour distances of the map are all GEMMs, tens of times
 * faster this way than in JavaScript loops.
 */
export class FloatMatMul {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly session: InferenceSession) {}

  static async open(): Promise<FloatMatMul> {
    const g = new GraphBuilder('float-matmul');
    const a = g.input('a', ['M', 'K']);
    const b = g.input('b', ['K', 'N']);
    g.output(g.op('MatMul', [a, b], {}, 'product'), ['M', 'N']);
    const { session } = await createSession(g.toBytes(), { provider: 'cpu' });
    return new FloatMatMul(session);
  }

  /** a (m x k, row-major) . b (k x n, row-major) -> m x n, row-major. */
  product(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Promise<Float32Array> {
    const run = this.queue.then(async () => {
      const { Tensor } = loadOrt();
      const out = await this.session.run({ a: new Tensor('float32', a.subarray(0, m * k), [m, k]), b: new Tensor('float32', b.subarray(0, k * n), [k, n]) });
      return out.product!.data as Float32Array;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** The transpose of an m x n row-major matrix. */
export function transpose(a: Float32Array, m: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j]!;
  return out;
}
