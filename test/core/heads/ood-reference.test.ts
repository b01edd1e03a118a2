import { describe, expect, it } from 'vitest';
import {
  buildOodReference,
  deserializeOodReference,
  knnDistances,
  knnDistancesByMatMul,
  OOD_FLAG_PERCENTILE,
  oodPercentiles,
  oodScores,
  serializeOodReference,
} from '../../../src-main/core/heads/ood-reference';
import { createRng } from '../../../src-main/core/heads/random';
import { FloatMatMul } from '../../../src-main/core/map/float-matmul';

/** n rows of dim values drawn around `centre` (every coordinate), seeded. */
function cloud(n: number, dim: number, centre: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * dim }, () => centre + rng.normal());
}

describe('out-of-distribution scores', () => {
  const dim = 16;
  const train = cloud(400, dim, 0, 1);
  const reference = buildOodReference(train, 400, dim, { k: 5, seed: 3 });

  it('scores new tiles from the training distribution as typical and far tiles as beyond every training tile', () => {
    const near = oodScores(reference, cloud(200, dim, 0, 2), 200);
    const far = oodScores(reference, cloud(50, dim, 6, 4), 50);
    const sortedNear = Float32Array.from(near).sort();
    // Same distribution: percentiles spread over 0..100 with a median near 50.
    expect(sortedNear[100]).toBeGreaterThan(30);
    expect(sortedNear[100]).toBeLessThan(75);
    expect(near.filter((p) => p >= OOD_FLAG_PERCENTILE).length).toBeLessThan(10);
    expect(Array.from(far).every((p) => p === 100)).toBe(true);
    // A tile halfway out scores between the two.
    const middle = oodScores(reference, cloud(20, dim, 1.5, 5), 20);
    const medianMiddle = Float32Array.from(middle).sort()[10]!;
    expect(medianMiddle).toBeGreaterThan(sortedNear[100]!);
  });

  it('measures the training rows leave-one-out, so a duplicate of a training row scores as the nearest possible', () => {
    expect(reference.looDistances.length).toBe(400);
    expect(reference.looDistances[0]).toBeGreaterThan(0);
    for (let i = 1; i < reference.looDistances.length; i++) expect(reference.looDistances[i]).toBeGreaterThanOrEqual(reference.looDistances[i - 1]!);
    // A query equal to a training row has distance 0 to it: lower than any leave-one-out distance (other rows being its other neighbours).
    const [self] = knnDistances({ ...reference, k: 1 }, train.subarray(0, dim), 1);
    expect(self).toBe(0);
    expect(oodPercentiles(reference, Float32Array.of(0))[0]).toBe(0);
  });

  it('keeps a seeded sample of at most maxRows rows', () => {
    const sampled = buildOodReference(train, 400, dim, { maxRows: 100, seed: 9 });
    expect(sampled.count).toBe(100);
    expect(sampled.vectors).toHaveLength(100 * dim);
    expect(buildOodReference(train, 400, dim, { maxRows: 100, seed: 9 }).vectors).toEqual(sampled.vectors);
    expect(() => buildOodReference(train, 1, dim)).toThrow(/at least 2 training rows/);
  });

  it('gives the same distances with the GEMM on ONNX Runtime as in plain loops', async () => {
    const queries = cloud(300, dim, 0.5, 11);
    const matmul = await FloatMatMul.open();
    try {
      const byGemm = await knnDistancesByMatMul(reference, queries, 300, (a, m, k, b, n) => matmul.product(a, m, k, b, n), 128);
      const byLoops = knnDistances(reference, queries, 300);
      for (let i = 0; i < 300; i++) expect(byGemm[i]).toBeCloseTo(byLoops[i]!, 3);
    } finally {
      await matmul.close();
    }
  });

  it('round-trips through its stored bytes and refuses bytes that are not a reference', () => {
    const bytes = serializeOodReference(reference);
    // As SQLite hands it back: a Buffer that may sit at any offset of a shared pool.
    const pooled = Buffer.concat([Buffer.from([1, 2, 3]), bytes]).subarray(3);
    const back = deserializeOodReference(pooled);
    expect(back).toMatchObject({ dim, k: 5, count: 400 });
    expect(back.vectors).toEqual(reference.vectors);
    expect(back.looDistances).toEqual(reference.looDistances);
    expect(() => deserializeOodReference(new Uint8Array(16))).toThrow(/not an OOD1 record/);
    expect(() => deserializeOodReference(bytes.subarray(0, bytes.length - 4))).toThrow(/bytes for 400 rows of dim 16/);
  });
});
