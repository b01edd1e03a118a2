import type { InferenceSession } from 'onnxruntime-node';
import { createSession } from '../backbones/onnx-session';
import { GraphBuilder } from '../onnx/graph-builder';
import { loadOrt } from '../onnx/ort';

/**
 * Integer dot products of a block of int8 rows with an int8 query, by ONNX Runtime's MatMulInteger:
 * MLAS runs it multi-threaded with SIMD, which plain JavaScript loops cannot approach, and int8
 * rows read a quarter of the memory float32 would. Rows come as uint8 (code + 128), because MLAS's
 * u8 x s8 kernel is several times faster than s8 x s8 (measured: 0.56 s against 2.9 s per 1M
 * 1280-d rows on the shared 2-core machine); the offset is taken back out exactly here.
 */
export class Int8MatMul {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: InferenceSession,
    readonly dim: number,
  ) {}

  static async open(dim: number, intraOpThreads?: number): Promise<Int8MatMul> {
    const g = new GraphBuilder('int8-dot');
    const rows = g.input('rows', ['N', dim], 'uint8');
    const query = g.input('query', [dim, 1], 'int8');
    g.output(g.op('MatMulInteger', [rows, query], {}, 'dots'), ['N', 1], 'int32');
    const { session } = await createSession(g.toBytes(), { provider: 'cpu', intraOpThreads });
    return new Int8MatMul(session, dim);
  }

  /** (rows - bias) (count x dim) . query (dim x 1): count int32 dot products of the signed codes. */
  dots(rows: Uint8Array, count: number, query: Int8Array, bias: number): Promise<Int32Array> {
    const run = this.queue.then(async () => {
      const { Tensor } = loadOrt();
      const out = await this.session.run({
        rows: new Tensor('uint8', rows.subarray(0, count * this.dim), [count, this.dim]),
        query: new Tensor('int8', query, [this.dim, 1]),
      });
      const dots = out.dots!.data as Int32Array;
      let querySum = 0;
      for (let j = 0; j < query.length; j++) querySum += query[j]!;
      const offset = bias * querySum;
      for (let i = 0; i < count; i++) dots[i]! -= offset;
      return dots;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
