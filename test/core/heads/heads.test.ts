import { describe, expect, it } from 'vitest';
import { deserializeHead, predictHeadProba, serializeHead, trainHead, type HeadKind } from '../../../src-main/core/heads/head';
import { argmaxRows } from '../../../src-main/core/heads/metrics';
import { fitMlp, predictMlp } from '../../../src-main/core/heads/mlp';
import { fitKnn, predictKnn } from '../../../src-main/core/heads/knn';
import { subsetDataset, type Dataset } from '../../../src-main/core/heads/dataset';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';

function heldOutAccuracy(kind: HeadKind, params: object, data: Dataset, trainCount: number, seed = 1): number {
  const train = subsetDataset(data, Int32Array.from({ length: trainCount }, (_, i) => i));
  const head = trainHead(kind, params as never, train, seed);
  const n = data.n - trainCount;
  const proba = predictHeadProba(head, data.x.subarray(trainCount * data.dim), n);
  const pred = argmaxRows(proba, n, data.classes.length);
  let ok = 0;
  for (let i = 0; i < n; i++) if (pred[i] === data.y[trainCount + i]) ok++;
  return ok / n;
}

const cases: Array<[HeadKind, object]> = [
  ['logreg', {}],
  ['mlp', { hidden: [32], maxEpochs: 60 }],
  ['mlp', { hidden: [32, 16], maxEpochs: 60, dropout: 0.1 }],
  ['knn', { k: 9 }],
  ['knn', { k: 9, distanceWeighted: true }],
];

describe('heads', () => {
  it.each(cases)('%s %j: > 0.95 held out on separable data, ~chance on noise', (kind, params) => {
    const separable = makeSyntheticDataset({ n: 900, dim: 24, k: 3, margin: 6, seed: 11 });
    expect(heldOutAccuracy(kind, params, separable, 600)).toBeGreaterThan(0.95);
    const noise = makeSyntheticDataset({ n: 900, dim: 24, k: 3, margin: 0, seed: 12 });
    expect(Math.abs(heldOutAccuracy(kind, params, noise, 600) - 1 / 3)).toBeLessThan(0.1);
  });

  it.each(cases)('%s %j: same seed gives the same bytes; bytes round-trip to the same predictions', (kind, params) => {
    const data = makeSyntheticDataset({ n: 300, dim: 16, k: 3, margin: 3, seed: 4 });
    const a = serializeHead(trainHead(kind, params as never, data, 7));
    const b = serializeHead(trainHead(kind, params as never, data, 7));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const head = trainHead(kind, params as never, data, 7);
    // Decode from an unaligned copy, as a SQLite BLOB may be.
    const blob = new Uint8Array(a.length + 3);
    blob.set(a, 3);
    const back = deserializeHead(blob.subarray(3));
    expect(back.kind).toBe(kind);
    expect(back.classes).toEqual(data.classes);
    expect(Array.from(predictHeadProba(back, data.x, 50))).toEqual(Array.from(predictHeadProba(head, data.x, 50)));
    expect(Buffer.from(serializeHead(back)).equals(Buffer.from(a))).toBe(true);
  });

  it('mlp: another seed gives other weights; early stopping keeps the best epoch', () => {
    const data = makeSyntheticDataset({ n: 400, dim: 16, k: 2, margin: 2, seed: 8 });
    const a = fitMlp(data.x, data.n, 16, data.y, 2, { hidden: [16], maxEpochs: 200, patience: 5 }, 1);
    const b = fitMlp(data.x, data.n, 16, data.y, 2, { hidden: [16], maxEpochs: 200, patience: 5 }, 2);
    expect(a.layers[0]!.weights.some((v, i) => v !== b.layers[0]!.weights[i])).toBe(true);
    expect(a.epochs).toBeLessThan(200);
    expect(a.bestEpoch).toBeLessThanOrEqual(a.epochs);
    expect(Number.isFinite(a.validationLoss)).toBe(true);
    const p = predictMlp(a, data.x, 10);
    for (let i = 0; i < 10; i++) expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 5);
  });

  it('knn: votes of the nearest neighbours by cosine', () => {
    // Three training rows along axes; the query is closest to the two class-1 rows.
    const x = Float32Array.from([1, 0, 0, 1, 0.1, 1]);
    const m = fitKnn(x, 3, 2, Int32Array.from([0, 1, 1]), 2, { k: 2 });
    const p = predictKnn(m, Float32Array.from([0.2, 5]), 1);
    expect(Array.from(p)).toEqual([0, 1]);
    const m3 = fitKnn(x, 3, 2, Int32Array.from([0, 1, 1]), 2, { k: 3 });
    expect(predictKnn(m3, Float32Array.from([1, 0]), 1)[0]).toBeCloseTo(1 / 3, 6);
    const w = fitKnn(x, 3, 2, Int32Array.from([0, 1, 1]), 2, { k: 3, distanceWeighted: true });
    expect(predictKnn(w, Float32Array.from([1, 0]), 1)[0]).toBeGreaterThan(0.99);
  });

  it('rejects bad input with clear errors', () => {
    const data = makeSyntheticDataset({ n: 50, dim: 4, k: 2, margin: 3, seed: 1 });
    expect(() => trainHead('svm' as never, {} as never, data, 1)).toThrow(/unknown head kind 'svm'/);
    expect(() => trainHead('mlp', { hidden: [8, 8, 8] }, data, 1)).toThrow(/1 or 2/);
    expect(() => trainHead('logreg', {}, { ...data, y: new Int32Array(49) }, 1)).toThrow(/49 labels/);
    expect(() => deserializeHead(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/HHD1/);
    const head = trainHead('logreg', {}, data, 1);
    expect(() => predictHeadProba(head, new Float32Array(7), 2)).toThrow(/dim 4/);
  });
});
