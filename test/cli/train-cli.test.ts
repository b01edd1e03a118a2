import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import { runHisto } from '../helpers/run-cli';
import { linearEmbedder } from '../helpers/onnx-models';
import { writePatchDataset } from '../helpers/embedding-fixtures';

function json<T = Record<string, unknown>>(args: string[]): T {
  const result = runHisto(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-train-cli-'));
const project = path.join(dir, 'p.histo');
let patches: string;

beforeAll(async () => {
  patches = await writePatchDataset(dir, { adipose: [245, 235, 235], lymphocytes: [70, 50, 150], tumour: [190, 90, 160] }, 10);
  json(['project', 'create', project, '--json']);
  json(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 9, dir }), '--project', project, '--name', 'lin', '--json']);
  const imported = json(['dataset', 'import-folder', patches, '--project', project, '--task', 'tissue', '--backbone', 'lin', '--views', 'd4', '--json']);
  expect(imported).toMatchObject({ task: 'tissue', classes: ['adipose', 'lymphocytes', 'tumour'], images: 30, embedded: { embedded: 30 * 8 } });
}, 120_000);

describe('histo train', () => {
  it('cross-validates and stores a logistic-regression head with the documented JSON shape', () => {
    const result = json<Record<string, any>>(['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--cv', '3', '--json']);
    expect(result).toMatchObject({ headId: expect.any(Number), kind: 'logreg', classes: ['adipose', 'lymphocytes', 'tumour'], seconds: expect.any(Number) });
    for (const key of ['f1', 'f1Macro', 'precision', 'recall', 'balancedAccuracy', 'rocAuc', 'prAuc']) {
      expect(typeof result.metrics[key]).toBe('number');
      expect(typeof result.metricsStd[key]).toBe('number');
    }
    expect(result.metrics.f1Macro).toBeGreaterThan(0.9);
    expect(result.folds).toHaveLength(3);
    expect(result.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(30);
    expect(result).not.toHaveProperty('augmentation');
    const heads = json<Array<Record<string, any>>>(['heads', 'list', '--project', project, '--json']);
    expect(heads.find((h) => h.id === result.headId)).toMatchObject({ task: 'tissue', backbone: 'lin', kind: 'logreg', seed: 0 });
  });

  it('gives the same metrics for the same seed', () => {
    const args = ['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'mlp', '--cv', '3', '--seed', '7', '--preprocess', 'standardize', '--json'];
    const a = json<Record<string, any>>(args);
    const b = json<Record<string, any>>(args);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.folds).toEqual(b.folds);
    expect(a.headId).not.toBe(b.headId);
  });

  it('reports F1 with and without feature-space augmentation on the same folds', () => {
    const result = json<Record<string, any>>(['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'knn', '--cv', '3', '--augment', 'views+noise', '--json']);
    expect(result.augmentation).toMatchObject({ f1MacroWithout: expect.any(Number), f1MacroWith: expect.any(Number) });
    expect(result.data.augmentedViews).toBe(30 * 7);
  });

  it('draws a learning curve with and without augmentation', () => {
    const result = json<{ curve: Array<Record<string, any>> }>([
      'train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--labels-per-class', '2,5', '--repeats', '3', '--augment', 'mixup', '--json',
    ]);
    expect(result.curve.map((p) => p.labelsPerClass)).toEqual([2, 5]);
    for (const point of result.curve) {
      expect(point).toMatchObject({ f1Macro: expect.any(Number), f1MacroStd: expect.any(Number), f1MacroAugmented: expect.any(Number) });
    }
  });

  it('searches hyper-parameters inside the training folds', () => {
    const result = json<Record<string, any>>(['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--cv', '3', '--search', '--json']);
    expect(result.folds.every((f: Record<string, any>) => typeof f.params.l2 === 'number')).toBe(true);
    expect([0.01, 0.1, 1, 10, 100]).toContain(result.params.l2);
  });

  it('exports a head as ONNX, alone and with its backbone', () => {
    const trained = json<Record<string, any>>(['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--cv', '2', '--json']);
    const alone = json<Record<string, any>>(['head', 'export', String(trained.headId), '--project', project, '--out', path.join(dir, 'head.onnx'), '--json']);
    expect(alone).toMatchObject({ withBackbone: false, input: { name: 'embedding', shape: ['N', 16] }, output: { name: 'probabilities', shape: ['N', 3] } });
    const fused = json<Record<string, any>>(['head', 'export', String(trained.headId), '--project', project, '--out', path.join(dir, 'fused.onnx'), '--with-backbone', '--json']);
    expect(fused).toMatchObject({ withBackbone: true, backbone: 'lin', input: { shape: ['N', 3, 32, 32] } });
    expect(fs.statSync(fused.file).size).toBeGreaterThan(fs.statSync(alone.file).size);
    expect(runHisto(['head', 'export', 'abc', '--project', project, '--out', 'x.onnx']).code).toBe(2);
  });

  it('refuses what cannot work with clear messages', () => {
    const bad = (args: string[], code: number, message: RegExp) => {
      const result = runHisto(['train', '--project', project, ...args]);
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toMatch(message);
    };
    bad(['--task', 'tissue', '--backbone', 'lin', '--head', 'svm'], 2, /--head: expected logreg, mlp or knn/);
    bad(['--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--augment', 'rotate'], 2, /unknown method 'rotate'/);
    bad(['--task', 'nope', '--backbone', 'lin', '--head', 'logreg'], 1, /no task 'nope'/);
    bad(['--task', 'tissue', '--backbone', 'histo-classic-v2', '--head', 'logreg'], 1, /has an embedding from backbone 'histo-classic-v2': embed them first/);
    bad(['--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--group', 'patient'], 1, /cannot group by 'patient'/);
    // The CLI's limits are the contract's: it calls the core through the same dispatcher as the UI.
    bad(['--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--labels-per-class', '2', '--repeats', '500'], 2, /train\.start: invalid input: repeats: /);
    bad(['--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--cv', '51'], 2, /train\.start: invalid input: folds: /);
  });

  it('bad preprocessing and augmentation inputs get one line and change nothing', () => {
    json(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 8, seed: 3, dir }), '--project', project, '--name', 'plain', '--json']);
    json(['embed', patches, '--project', project, '--backbone', 'plain', '--size', '32', '--views', 'none', '--min-tissue', '0', '--json']);
    const before = { heads: json<unknown[]>(['heads', 'list', '--project', project, '--json']).length, audit: runHisto(['audit', '--project', project, '--json']).stdout };
    const bad = (args: string[], code: number, message: RegExp) => {
      const result = runHisto(['train', '--project', project, '--task', 'tissue', '--head', 'logreg', ...args]);
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toMatch(message);
      // The failed job's line plus 'histo: ...' (or the usage hint): short lines, never a stack trace.
      const lines = result.stderr.trim().split('\n');
      expect(lines.length).toBeLessThanOrEqual(2);
      expect(lines.some((l) => /^\s+at /.test(l))).toBe(false);
    };
    bad(['--backbone', 'lin', '--augment', 'views', '--copies', '0'], 2, /copies must be 'all' or a whole number >= 1, got '0'/);
    bad(['--backbone', 'lin', '--augment', 'views', '--copies', 'lots'], 2, /got 'lots'/);
    bad(['--backbone', 'lin', '--preprocess', 'zscore'], 2, /--preprocess: expected auto, none, l2, standardize, standardize-project/);
    bad(['--backbone', 'histo-classic-v2', '--preprocess', 'standardize-project'], 1, /standardize-project: backbone 'histo-classic-v2' has no stored embeddings/);
    bad(['--backbone', 'plain', '--augment', 'views'], 1, /--augment views: backbone 'plain' has no augmented views/);
    bad(['--backbone', 'plain', '--augment', 'views', '--labels-per-class', '2', '--repeats', '2'], 1, /--augment views: backbone 'plain' has no augmented views/);
    expect(json<unknown[]>(['heads', 'list', '--project', project, '--json'])).toHaveLength(before.heads);
    expect(runHisto(['audit', '--project', project, '--json']).stdout).toBe(before.audit);
  });

  it('reports the preprocessing choice and the paired with/without difference with its CI', () => {
    const result = json<Record<string, any>>(['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--cv', '3', '--augment', 'views', '--json']);
    expect(result.preprocessing).toMatchObject({ requested: 'auto', chosen: expect.any(String), how: expect.stringMatching(/^auto: /) });
    expect(result.augmentation).toMatchObject({ copies: 'all', f1MacroWithout: expect.any(Number), f1MacroWith: expect.any(Number), difference: { pairs: 3, verdict: expect.any(String), text: expect.any(String) } });
    expect(result.augmentation.difference.mean).toBeCloseTo(result.augmentation.f1MacroWith - result.augmentation.f1MacroWithout, 10);
    const audit = runHisto(['audit', '--project', project, '--json']).stdout;
    expect(audit).toContain(`"preprocess":"${result.preprocessing.chosen}"`);
    const text = runHisto(['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--labels-per-class', '2,5', '--repeats', '3', '--augment', 'views']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/preprocessing: auto/);
    expect(text.stdout).not.toMatch(/±0\.000/);
    expect(text.stdout).toMatch(/no measurable gain|gain [+−]|loss [+−]/);
  });
});
