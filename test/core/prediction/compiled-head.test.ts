import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';
import { predictHeadProba, trainHead } from '../../../src-main/core/heads/head';
import { compileHead } from '../../../src-main/core/prediction/compiled-head';

/** 12: the scalar path; 32 (a multiple of 16): the SIMD product. */
let DIM = 12;

/** Three classes on shifted, scaled dimensions: standardising matters. */
function data(n: number, seed: number) {
  const random = seededRandom(seed);
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const x = Float32Array.from({ length: n * DIM }, (_, t) => {
    const j = t % DIM;
    return 5 + j * 3 + (random() * 2 - 1) * (1 + j) + (j < 3 && y[Math.floor(t / DIM)] === j ? 4 : 0);
  });
  return { x, n, dim: DIM, y, classes: ['a', 'b', 'c'], groups: Int32Array.from({ length: n }, (_, i) => i % 5) };
}

describe('compiled heads', () => {
  it.each([
    ['standardize', 12],
    ['none', 12],
    ['l2', 12],
    ['standardize', 32],
    ['none', 32],
  ] as const)('a logistic regression (%s, %i-d) gives the probabilities of the trained head', (preprocess, dim) => {
    DIM = dim;
    const head = trainHead('logreg', { preprocess }, data(150, 1), 1);
    const test = data(40, 2);
    const want = predictHeadProba(head, test.x, test.n);
    const got = compileHead(head)(test.x, test.n);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    // Not a comparison of two constant outputs: the probabilities vary across rows.
    expect(Math.max(...Array.from(want)) - Math.min(...Array.from(want))).toBeGreaterThan(0.05);
  });

  it('an MLP runs as trained', () => {
    DIM = 12;
    const head = trainHead('mlp', { hidden: [8], maxEpochs: 5 }, data(90, 3), 1);
    const test = data(20, 4);
    expect(compileHead(head)(test.x, test.n)).toEqual(predictHeadProba(head, test.x, test.n));
  });
});
