import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src-main/core/onnx/graph-builder';
import { idleHelperCount, reusedFixedCopies, SyncOrt } from '../../../src-main/core/heads/sync-ort';

/** y = x * w summed over columns: x fixed [n, 3], w [1, 3] per run. */
function dotGraph(): Uint8Array {
  const g = new GraphBuilder('dot');
  const x = g.input('x', ['n', 3]);
  const w = g.input('w', [1, 3]);
  g.output(g.op('Gemm', [x, w], { transB: 1 }, 'y'), ['n', 1]);
  return g.toBytes();
}

function open(x: Float32Array): SyncOrt {
  return new SyncOrt({
    what: 'test',
    model: dotGraph(),
    threads: 1,
    inputs: [
      { name: 'x', type: 'float32', capacity: x.length, rank: 2, fixed: x },
      { name: 'w', type: 'float32', capacity: 3, rank: 2 },
    ],
    outputs: [{ name: 'y', type: 'float32', capacity: x.length / 3 }],
  });
}

/** V8's gc function for this thread (vitest does not start with --expose-gc). */
function mainThreadGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

describe('SyncOrt helper pool', () => {
  it('hands a closed helper to the next session, which sees its own data', () => {
    const first = open(Float32Array.from([1, 2, 3, 4, 5, 6]));
    first.inputs.w!.set([1, 1, 1]);
    first.run({ x: [2, 3], w: [1, 3] });
    expect(Array.from(first.outputs.y!)).toEqual([6, 15]);
    first.close();
    const pooled = idleHelperCount();
    expect(pooled).toBeGreaterThan(0);

    const second = open(Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]));
    expect(idleHelperCount()).toBe(pooled - 1);
    second.inputs.w!.set([7, 8, 9]);
    second.run({ x: [3, 3], w: [1, 3] });
    expect(Array.from(second.outputs.y!)).toEqual([7, 8, 9]);
    second.close();
    expect(() => second.run({ x: [3, 3], w: [1, 3] })).toThrow(/used after close/);
  });

  it('reports a graph ONNX Runtime rejects, and the helper serves the next session', () => {
    const bad = new SyncOrt({ what: 'broken head', model: Uint8Array.from([1, 2, 3]), threads: 1, inputs: [], outputs: [] });
    expect(() => bad.run()).toThrow(/broken head: could not start ONNX Runtime/);
    const good = open(Float32Array.from([1, 1, 1]));
    good.inputs.w!.set([2, 3, 4]);
    good.run({ x: [1, 3], w: [1, 3] });
    expect(good.outputs.y![0]).toBe(9);
    good.close();
  });

  it('pools a helper that was handed much shared memory, and that helper lets the memory go on close', async () => {
    const mib = 1024 * 1024;
    // Opens, runs and closes a session over 256 MiB of shared memory; no reference outlives the call.
    const runOnce = (): void => {
      const big = new Float32Array(new SharedArrayBuffer(256 * mib));
      big.fill(1); // resident now
      const s = new SyncOrt({
        what: 'big',
        model: dotGraph(),
        threads: 1,
        inputs: [
          { name: 'x', type: 'float32', capacity: 6, rank: 2, fixed: Float32Array.from([1, 2, 3, 4, 5, 6]) },
          { name: 'w', type: 'float32', capacity: big.length, rank: 2, shared: big },
        ],
        outputs: [{ name: 'y', type: 'float32', capacity: 2 }],
      });
      big.set([1, 0, 1]);
      s.run({ x: [2, 3], w: [1, 3] });
      expect(Array.from(s.outputs.y!)).toEqual([4, 10]);
      const before = idleHelperCount();
      s.close();
      expect(idleHelperCount()).toBe(before + 1);
    };
    runOnce();
    const held = process.memoryUsage().rss;
    // This thread lets go of its references too; then only the pooled helper could keep the memory.
    const gc = mainThreadGc();
    let rss = held;
    for (let i = 0; i < 100 && rss > held - 200 * mib; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
      rss = process.memoryUsage().rss;
    }
    expect(rss).toBeLessThan(held - 200 * mib);
  });

  it("copies a large fixed input into the memory a closed session's helper handed back, and each session sees its own data", async () => {
    // 2M rows of 3: 24 MB, above the size worth reusing.
    const rows = 2_000_000;
    const first = new Float32Array(rows * 3).fill(1);
    const s1 = open(first);
    s1.inputs.w!.set([1, 2, 3]);
    s1.run({ x: [rows, 3], w: [1, 3] });
    expect(s1.outputs.y![rows - 1]).toBe(6);
    s1.close();
    const reused = reusedFixedCopies();
    // The helper hands its copy back once it has taken the close.
    await new Promise((resolve) => setTimeout(resolve, 100));

    // A smaller input of the same kind goes into that memory, and none of the first input shows through.
    const second = new Float32Array((rows - 1000) * 3).fill(2);
    const s2 = open(second);
    expect(reusedFixedCopies()).toBe(reused + 1);
    s2.inputs.w!.set([1, 1, 1]);
    s2.run({ x: [rows - 1000, 3], w: [1, 3] });
    expect(s2.outputs.y![0]).toBe(6);
    expect(s2.outputs.y![rows - 1001]).toBe(6);
    s2.close();

    // A small input is copied afresh: it never pins a large buffer.
    const s3 = open(Float32Array.from([1, 2, 3]));
    expect(reusedFixedCopies()).toBe(reused + 1);
    s3.close();
  });

  it('runs a driver: one request, many session runs, on the helper thread', () => {
    // The driver adds w to itself through the graph three times per run (y = x . w with x = identity rows).
    const driver = `
      return async () => {
        const w = new Float32Array(3);
        w.set(inputs.w);
        for (let i = 0; i < 3; i++) {
          const r = await session.run({ x: new ort.Tensor('float32', inputs.x, [3, 3]), w: new ort.Tensor('float32', w, [1, 3]) });
          for (let j = 0; j < 3; j++) w[j] += r.y.data[j];
        }
        outputs.y.set(w);
      };`;
    const s = new SyncOrt({
      what: 'driver',
      model: dotGraph(),
      threads: 1,
      driver,
      inputs: [
        { name: 'x', type: 'float32', capacity: 9, rank: 2, fixed: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) },
        { name: 'w', type: 'float32', capacity: 3, rank: 2 },
      ],
      outputs: [{ name: 'y', type: 'float32', capacity: 3 }],
    });
    s.inputs.w!.set([1, 2, 3]);
    s.run();
    expect(Array.from(s.outputs.y!)).toEqual([8, 16, 24]);
    s.close();
  });
});
