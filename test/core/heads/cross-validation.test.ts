import { describe, expect, it } from 'vitest';
import { foldRows, groupedHoldout, groupedStratifiedFolds } from '../../../src-main/core/heads/cross-validation';
import { createRng } from '../../../src-main/core/heads/random';

/** A random labelled, grouped dataset: group sizes and class mixes vary wildly. */
function randomLabels(seed: number): { y: Int32Array; groups: Int32Array; k: number } {
  const rng = createRng(seed);
  const k = 2 + rng.int(4);
  const groupCount = 2 + rng.int(30);
  const ys: number[] = [];
  const gs: number[] = [];
  for (let g = 0; g < groupCount; g++) {
    const size = 1 + rng.int(rng.next() < 0.2 ? 200 : 20);
    const main = rng.int(k);
    // Sparse, arbitrary group ids, as slide ids are.
    const id = g * 37 + 1000;
    for (let i = 0; i < size; i++) {
      ys.push(rng.next() < 0.7 ? main : rng.int(k));
      gs.push(id);
    }
  }
  // Shuffle rows so groups are interleaved.
  const order = Array.from({ length: ys.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { y: Int32Array.from(order, (i) => ys[i]!), groups: Int32Array.from(order, (i) => gs[i]!), k };
}

describe('grouped cross-validation', () => {
  it('never splits a group, over many random datasets and seeds', () => {
    for (let seed = 0; seed < 300; seed++) {
      const { y, groups, k } = randomLabels(seed);
      const folds = 2 + (seed % 9);
      const split = groupedStratifiedFolds(y, groups, k, folds, seed * 13);
      // Plain loops (an expect per row would dominate the run time); one assertion per dataset.
      const foldOfGroup = new Map<number, number>();
      let splitGroups = 0;
      for (let i = 0; i < y.length; i++) {
        const seen = foldOfGroup.get(groups[i]!);
        if (seen === undefined) foldOfGroup.set(groups[i]!, split.fold[i]!);
        else if (seen !== split.fold[i]) splitGroups++;
      }
      expect(splitGroups).toBe(0);
      // Every fold used has test rows, and the train/test sides of each fold share no group.
      expect(split.folds).toBe(Math.min(folds, foldOfGroup.size));
      for (let f = 0; f < split.folds; f++) {
        const { train, test } = foldRows(split.fold, f);
        const testGroups = new Set(Array.from(test, (i) => groups[i]!));
        const shared = Array.from(train).filter((i) => testGroups.has(groups[i]!)).length;
        expect([test.length > 0, train.length + test.length, shared]).toEqual([true, y.length, 0]);
      }
    }
  });

  it('falls back to fewer folds with a message when there are fewer groups than folds', () => {
    const y = Int32Array.from([0, 1, 0, 1, 0, 1]);
    const groups = Int32Array.from([1, 1, 2, 2, 3, 3]);
    const split = groupedStratifiedFolds(y, groups, 2, 5, 1);
    expect(split.folds).toBe(3);
    expect(split.messages.join(' ')).toMatch(/only 3 groups .* 5 folds: using 3 folds/);
    expect(() => groupedStratifiedFolds(y, new Int32Array(6), 2, 5, 1)).toThrow(/at least 2 groups/);
  });

  it('balances classes across folds when groups allow it', () => {
    // 40 single-class groups of 10 rows, 20 per class: 4 folds should get 50 rows of each class.
    const y = new Int32Array(400);
    const groups = new Int32Array(400);
    for (let i = 0; i < 400; i++) {
      groups[i] = Math.floor(i / 10);
      y[i] = Math.floor(i / 10) % 2;
    }
    const split = groupedStratifiedFolds(y, groups, 2, 4, 7);
    for (let f = 0; f < 4; f++) {
      const { test } = foldRows(split.fold, f);
      const pos = Array.from(test).filter((i) => y[i] === 1).length;
      expect(pos).toBe(50);
      expect(test.length).toBe(100);
    }
  });

  it('is seeded: same seed, same folds; another seed, other folds', () => {
    const { y, groups, k } = randomLabels(42);
    const a = groupedStratifiedFolds(y, groups, k, 4, 1);
    const b = groupedStratifiedFolds(y, groups, k, 4, 1);
    expect(Array.from(a.fold)).toEqual(Array.from(b.fold));
    const differs = [2, 3, 4, 5, 6].some((s) => groupedStratifiedFolds(y, groups, k, 4, s).fold.some((v, i) => v !== a.fold[i]));
    expect(differs).toBe(true);
  });

  it('holdout keeps test groups out of training, or says so with one group', () => {
    const { y, groups, k } = randomLabels(3);
    const h = groupedHoldout(y, groups, k, 0.3, 5);
    const testGroups = new Set(Array.from(h.test, (i) => groups[i]!));
    for (const i of h.train) expect(testGroups.has(groups[i]!)).toBe(false);
    const one = groupedHoldout(Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]), new Int32Array(10), 2, 0.4, 1);
    expect(one.test.length).toBe(4);
    expect(one.messages[0]).toMatch(/only one group/);
  });
});
