import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HeadListing, JobOutcome } from '../../src-shared/contract';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { augmentSpec, parseLabelsPerClass } from '../../src-renderer/src/format/training-format';
import { useTrainingStore } from '../../src-renderer/src/stores/training-store';
import { InMemoryBridge, jobEvent } from './in-memory-bridge';

const metrics = { f1: 0.95, f1Macro: 0.95, precision: 0.96, recall: 0.95, balancedAccuracy: 0.95, rocAuc: 0.99, prAuc: 0.98, accuracy: 0.95 };

function summary(headId?: number) {
  return {
    ...(headId !== undefined ? { headId } : {}),
    kind: 'logreg',
    task: 'tissue',
    backbone: 'lin',
    metrics,
    metricsStd: { ...metrics, f1Macro: 0.02 },
    folds: [{ fold: 0, trainRows: 20, testRows: 10, metrics, params: {}, f1MacroWithout: 0.9 }],
    confusion: [
      [10, 0],
      [1, 9],
    ],
    classes: ['tumour', 'stroma'],
    augmentation: { method: 'views', f1MacroWithout: 0.9, f1MacroWith: 0.95 },
    params: { classWeight: 'balanced' },
    seed: 0,
    curves: { class: 'tumour', roc: [[0, 0], [0, 1], [1, 1]] as Array<[number, number]>, pr: [[0, 1], [1, 0.5]] as Array<[number, number]>, bestThreshold: { threshold: 0.4, f1: 0.95, precision: 0.95, recall: 0.95 } },
    data: { tiles: 20, perClass: { tumour: 10, stroma: 10 }, groups: 20, augmentedViews: 140, missingEmbeddings: 0 },
    messages: [],
    seconds: 0.12,
  };
}

function listing(id: number): HeadListing {
  return { id, task: 'tissue', taskId: 1, backbone: 'lin', backboneId: 2, kind: 'logreg', params: {}, seed: 0, metrics, metricsStd: metrics, classes: ['tumour', 'stroma'], trainSeconds: 0.1, createdAt: '2025-01-01T00:00:00Z' };
}

let bridge: InMemoryBridge;

beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new InMemoryBridge();
  installBridge(bridge);
  bridge.handle('project.current', () => null);
});

describe('useTrainingStore', () => {
  it('starts a training job and shows its summary when the job ends', async () => {
    let outcome: JobOutcome = { jobId: 'job-1', kind: 'train', state: 'running', result: null, error: null };
    let heads: HeadListing[] = [];
    bridge
      .handle('train.start', () => ({ jobId: 'job-1' }))
      .handle('job.result', () => outcome)
      .handle('head.list', () => heads);
    const store = useTrainingStore();
    const jobId = await store.start({ task: 'tissue', backbone: 'lin', kind: 'logreg', folds: 3, augment: 'views' });
    expect(jobId).toBe('job-1');
    expect(bridge.calls.find((c) => c.method === 'train.start')?.input).toEqual({ task: 'tissue', backbone: 'lin', kind: 'logreg', folds: 3, augment: 'views' });
    expect(store.training).toBe(true);

    outcome = { jobId: 'job-1', kind: 'train', state: 'done', result: summary(5), error: null };
    heads = [listing(5)];
    bridge.emit('job.progress', jobEvent('job-1', { kind: 'train', state: 'done' }));
    await expect.poll(() => store.trainRun?.state).toBe('done');
    expect(store.training).toBe(false);
    expect(store.shown?.headId).toBe(5);
    expect(store.shown?.summary.augmentation?.f1MacroWith).toBe(0.95);
    await expect.poll(() => store.heads.length).toBe(1);
  });

  it('takes the result of a job that ended before the start call answered', async () => {
    bridge
      .handle('train.start', () => ({ jobId: 'job-2' }))
      .handle('job.result', () => ({ jobId: 'job-2', kind: 'train', state: 'done', result: summary(1), error: null }))
      .handle('head.list', () => [listing(1)]);
    const store = useTrainingStore();
    await store.start({ task: 'tissue', backbone: 1, kind: 'knn' });
    await expect.poll(() => store.shown?.headId).toBe(1);
  });

  it('reports a failed training with the core message', async () => {
    bridge
      .handle('train.start', () => ({ jobId: 'job-3' }))
      .handle('job.result', () => ({ jobId: 'job-3', kind: 'train', state: 'failed', result: null, error: { code: 'BAD_INPUT', message: "--augment views: backbone 'lin' has no augmented views of these tiles" } }))
      .handle('head.list', () => []);
    const store = useTrainingStore();
    await store.start({ task: 'tissue', backbone: 1, kind: 'logreg', augment: 'views' });
    await expect.poll(() => store.trainRun?.state).toBe('failed');
    expect(store.trainRun?.error).toContain('no augmented views');
    expect(store.shown).toBeNull();
  });

  it('keeps a refused start (validation at the boundary) as startError', async () => {
    const store = useTrainingStore();
    expect(await store.start({ task: 'tissue', backbone: 1, kind: 'logreg', augment: 'views+blur' })).toBeNull();
    expect(store.startError?.code).toBe('VALIDATION');
    expect(store.trainRun).toBeNull();
  });

  it('draws a learning curve, NaN scores read as null', async () => {
    bridge
      .handle('train.start', () => ({ jobId: 'curve-1' }))
      .handle('job.result', () => ({
        jobId: 'curve-1',
        kind: 'learning-curve',
        state: 'done',
        result: {
          curve: [
            { labelsPerClass: 2, f1Macro: NaN, f1MacroStd: NaN, f1MacroAugmented: NaN, f1MacroAugmentedStd: NaN, repeats: 0, trainRows: 4 },
            { labelsPerClass: 'all', f1Macro: 0.9, f1MacroStd: 0.05, f1MacroAugmented: 0.93, f1MacroAugmentedStd: 0.04, repeats: 3, trainRows: 20 },
          ],
          seconds: 0.4,
        },
        error: null,
      }));
    const store = useTrainingStore();
    await store.start({ task: 'tissue', backbone: 1, kind: 'logreg', augment: 'views', labelsPerClass: [2, 'all'], repeats: 3 });
    await expect.poll(() => store.curveRun?.state).toBe('done');
    expect(store.curve?.curve[0]!.f1Macro).toBeNull();
    expect(store.curve?.curve[1]!.f1MacroAugmented).toBe(0.93);
    expect(store.trainRun).toBeNull();
  });

  it('loads the summaries of heads ticked for comparison, once each', async () => {
    bridge.handle('head.list', () => [listing(1), listing(2)]).handle('head.get', (input) => {
      const { id } = input as { id: number };
      return { listing: listing(id), summary: summary() };
    });
    const store = useTrainingStore();
    await store.load();
    store.toggleCompare(1);
    store.toggleCompare(2);
    await expect.poll(() => Object.keys(store.summaries).length).toBe(2);
    expect(store.compared.map((h) => h.id)).toEqual([1, 2]);
    store.toggleCompare(1);
    expect(store.compareIds).toEqual([2]);
    store.toggleCompare(1);
    expect(bridge.calls.filter((c) => c.method === 'head.get')).toHaveLength(2);

    expect(await store.show(2)).toBe(true);
    expect(store.shown?.headId).toBe(2);
  });

  it('keeps a head.get failure per head', async () => {
    bridge.handle('head.get', () => {
      throw { code: 'NOT_FOUND', message: 'no head 9 in this project' };
    });
    const store = useTrainingStore();
    expect(await store.show(9)).toBe(false);
    expect(store.summaryErrors[9]).toBe('no head 9 in this project');
  });

  it('exports a head with or without its backbone', async () => {
    bridge.handle('head.export', (input) => {
      const { out, withBackbone } = input as { out: string; withBackbone: boolean };
      if (out.startsWith('/nope')) throw { code: 'NOT_FOUND', message: '/nope: folder does not exist' };
      return { file: out, headId: 3, kind: 'logreg', classes: ['a', 'b'], withBackbone, backbone: 'lin', input: { name: 'embedding', shape: ['N', 8] }, output: { name: 'probabilities', shape: ['N', 2] } };
    });
    const store = useTrainingStore();
    expect(await store.exportHead(3, ' /out/head.onnx ', true)).toMatchObject({ file: '/out/head.onnx', withBackbone: true, headId: 3 });
    expect(await store.exportHead(3, '/nope/head.onnx', false)).toBeNull();
    expect(store.exportError?.message).toBe('/nope: folder does not exist');
    expect(store.lastExport).toBeNull();
  });
});

describe('training form helpers', () => {
  it('joins ticked augmentations in canonical order, or none', () => {
    expect(augmentSpec([])).toBe('none');
    expect(augmentSpec(['smote', 'views'])).toBe('views+smote');
  });

  it('parses labels per class', () => {
    expect(parseLabelsPerClass('10, 2 5, all, 5')).toEqual([2, 5, 10, 'all']);
    expect(parseLabelsPerClass('2, x')).toMatch(/'x' is not a whole number/);
    expect(parseLabelsPerClass(' ')).toMatch(/Give label counts/);
  });
});
