import { describe, expect, it } from 'vitest';
import { loadOrt } from '../../../src-main/core/onnx/ort';
import { float, GraphBuilder } from '../../../src-main/core/onnx/graph-builder';

describe('GraphBuilder', () => {
  it('builds a model ONNX Runtime runs, with a symbolic batch and float/int attributes', async () => {
    const g = new GraphBuilder('probe');
    const x = g.input('x', ['N', 3]);
    const w = g.tensor('w', [3, 2], [1, 2, 3, 4, 5, 6]);
    const y = g.op('Gemm', [x, w, g.tensor('b', [2], [0.5, -0.5])], { alpha: float(2), transB: 0 });
    g.op('LeakyRelu', [y], { alpha: 0.25 }, 'y');
    g.output('y', ['N', 2]);
    const ort = loadOrt();
    const session = await ort.InferenceSession.create(g.toBytes());
    try {
      expect(session.inputMetadata[0]).toMatchObject({ name: 'x', isTensor: true, type: 'float32', shape: ['N', 3] });
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 0, -1]), [2, 3]) });
      // row 1: 2*[1,2] + [0.5,-0.5] = [2.5, 3.5]; row 2: 2*[-5,-6] + b = [-9.5, -12.5] -> leaky 0.25
      expect(Array.from(out.y!.data as Float32Array)).toEqual([2.5, 3.5, -9.5 * 0.25, -12.5 * 0.25]);
    } finally {
      await session.release();
    }
  });

  it('gives the same bytes for the same calls, and unique names for repeated prefixes', () => {
    const build = () => {
      const g = new GraphBuilder('twice');
      const x = g.input('x', ['N', 4]);
      const a = g.op('Relu', [x]);
      const b = g.op('Relu', [a]);
      expect(a).not.toBe(b);
      g.op('Add', [a, g.tensor('c', [4], [1, 2, 3, 4])], {}, 'out');
      g.output('out', ['N', 4]);
      return Buffer.from(g.toBytes()).toString('hex');
    };
    expect(build()).toBe(build());
  });

  it('refuses a node reading a value nothing produces, and a duplicate name', () => {
    const g = new GraphBuilder('broken');
    g.input('x', ['N', 2]);
    expect(() => g.op('Relu', ['y'])).toThrow(/reads y/);
    expect(() => g.input('x', ['N', 2])).toThrow(/used twice/);
  });
});
