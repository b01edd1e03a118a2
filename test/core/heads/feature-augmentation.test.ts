import { describe, expect, it } from 'vitest';
import { augmentTrainingRows, parseAugmentation } from '../../../src-main/core/heads/feature-augmentation';
import { createRng } from '../../../src-main/core/heads/random';
import { makeSyntheticDataset } from '../../../src-main/core/heads/synthetic-data';
import type { Dataset } from '../../../src-main/core/heads/dataset';

describe('feature augmentation', () => {
  it("parses methods joined with '+'", () => {
    expect(parseAugmentation('views+noise')).toEqual({ methods: ['views', 'noise'] });
    expect(parseAugmentation('none')).toBeNull();
    expect(parseAugmentation(undefined)).toBeNull();
    expect(() => parseAugmentation('views+rotate')).toThrow(/unknown method 'rotate'/);
  });

  it('views: samples only stored views of the training rows', () => {
    const data = makeSyntheticDataset({ n: 20, dim: 3, k: 2, margin: 1, views: 2, seed: 1 });
    // Mark each view by its row so we can tell where a sampled vector came from.
    for (let v = 0; v < data.views!.n; v++) data.views!.x[v * 3] = 1000 + data.views!.row[v]!;
    const rows = Int32Array.from([0, 3, 5]);
    const out = augmentTrainingRows(data, rows, { methods: ['views'], copies: 2 }, createRng(1));
    expect(out.n).toBe(3 + 6);
    for (let i = 3; i < out.n; i++) {
      const row = out.x[i * 3]! - 1000;
      expect([0, 3, 5]).toContain(row);
      expect(out.y[i]).toBe(data.y[row]);
    }
    expect(() => augmentTrainingRows({ ...data, views: undefined }, rows, { methods: ['views'] }, createRng(1))).toThrow(/no augmented views/);
  });

  it('noise: scaled by the per-dimension std; mixup stays inside the class hull', () => {
    const x = new Float32Array(400 * 2);
    const y = new Int32Array(400);
    for (let i = 0; i < 400; i++) {
      x[2 * i] = i % 2 ? 10 : -10; // std 10
      x[2 * i + 1] = i % 2 ? 0.1 : -0.1; // std 0.1
      y[i] = i % 2;
    }
    const data: Dataset = { x, n: 400, dim: 2, y, classes: ['a', 'b'], groups: new Int32Array(400) };
    const rows = Int32Array.from({ length: 400 }, (_, i) => i);
    const noisy = augmentTrainingRows(data, rows, { methods: ['noise'], noiseScale: 0.1 }, createRng(2));
    let d0 = 0;
    let d1 = 0;
    for (let i = 0; i < 400; i++) {
      d0 += (noisy.x[(400 + i) * 2]! - x[i * 2]!) ** 2;
      d1 += (noisy.x[(400 + i) * 2 + 1]! - x[i * 2 + 1]!) ** 2;
    }
    expect(Math.sqrt(d0 / 400)).toBeGreaterThan(0.8);
    expect(Math.sqrt(d0 / 400)).toBeLessThan(1.2);
    expect(Math.sqrt(d1 / 400)).toBeLessThan(0.012);
    const mixed = augmentTrainingRows(data, rows, { methods: ['mixup'] }, createRng(3));
    // Every row of a class sits at the same point, so within-class mixup reproduces it exactly.
    for (let i = 400; i < 800; i++) expect(mixed.x[i * 2]).toBeCloseTo(mixed.y[i] ? 10 : -10, 4);
  });

  it('smote: tops minority classes up to the majority with points between class members', () => {
    const data = makeSyntheticDataset({ n: 120, dim: 4, k: 3, margin: 4, classFrequencies: [6, 3, 1], seed: 3 });
    const rows = Int32Array.from({ length: 120 }, (_, i) => i);
    const out = augmentTrainingRows(data, rows, { methods: ['smote'] }, createRng(4));
    const counts = [0, 0, 0];
    for (let i = 0; i < out.n; i++) counts[out.y[i]!]!++;
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBe(counts[0]);
    expect(out.added.smote).toBe(out.n - 120);
  });

  it('methods combine and are seeded', () => {
    const data = makeSyntheticDataset({ n: 30, dim: 3, k: 2, margin: 1, views: 1, seed: 5 });
    const rows = Int32Array.from({ length: 30 }, (_, i) => i);
    const spec = parseAugmentation('views+noise+mixup')!;
    const a = augmentTrainingRows(data, rows, spec, createRng(9));
    const b = augmentTrainingRows(data, rows, spec, createRng(9));
    expect(a.n).toBe(120);
    expect(a.added).toEqual({ views: 30, noise: 30, mixup: 30 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
  });
});
