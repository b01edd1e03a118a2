import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackboneSummary } from '../../src-shared/contract';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { BENCH_BATCH_SIZE, useBackbonesStore } from '../../src-renderer/src/stores/backbones-store';
import { useProjectStore } from '../../src-renderer/src/stores/project-store';
import { InMemoryBridge, jobEvent, projectSummary } from './in-memory-bridge';

function backbone(id: number, overrides: Partial<BackboneSummary> = {}): BackboneSummary {
  return {
    id,
    name: `model-${id}`,
    dim: 16,
    inputSize: 32,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    sha256: 'ab'.repeat(32),
    builtin: false,
    source: null,
    license: null,
    filePath: `/models/model-${id}.onnx`,
    embeddings: 0,
    ...overrides,
  };
}

const classic = backbone(1, { name: 'histo-classic-v2', builtin: true, dim: 222, inputSize: 224, mean: [0, 0, 0], std: [1, 1, 1] });

let bridge: InMemoryBridge;

beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new InMemoryBridge();
  bridge.handle('project.current', () => projectSummary('/data/study.histo'));
  installBridge(bridge);
});

describe('useBackbonesStore', () => {
  it('lists the backbones; no project open is a state, not an error', async () => {
    bridge.handle('backbone.list', () => [classic]);
    const store = useBackbonesStore();
    await store.load();
    expect(store.backbones).toEqual([classic]);
    expect(store.error).toBeNull();

    bridge.handle('backbone.list', () => {
      throw { code: 'NO_PROJECT', message: 'no project is open' };
    });
    await store.load();
    expect(store.backbones).toEqual([]);
    expect(store.error).toBeNull();

    bridge.handle('backbone.list', () => {
      throw { code: 'INTERNAL', message: 'database is locked' };
    });
    await store.load();
    expect(store.error?.message).toBe('database is locked');
  });

  it('imports a model with its overrides and adds it to the list', async () => {
    bridge.handle('backbone.list', () => [classic]);
    bridge.handle('backbone.import', (input) => backbone(2, { ...(input as Partial<BackboneSummary>), filePath: (input as { path: string }).path }));
    const store = useBackbonesStore();
    await store.load();

    const imported = await store.importBackbone({ path: '  /models/uni.onnx ', name: 'uni', inputSize: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], license: 'CC-BY-NC-ND-4.0' });
    expect(bridge.calls.find((c) => c.method === 'backbone.import')?.input).toEqual({
      path: '/models/uni.onnx',
      name: 'uni',
      inputSize: 224,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      license: 'CC-BY-NC-ND-4.0',
    });
    expect(imported?.name).toBe('uni');
    expect(store.backbones.map((b) => b.name)).toEqual(['histo-classic-v2', 'uni']);
    expect(store.lastImported?.id).toBe(2);
    expect(store.importError).toBeNull();
    expect(store.importing).toBe(false);
    // The project bar's counts are refreshed.
    expect(bridge.calls.some((c) => c.method === 'project.current')).toBe(true);
  });

  it("keeps the core's refusal of a file that is not an ONNX model", async () => {
    bridge.handle('backbone.import', () => {
      throw { code: 'BAD_INPUT', message: '/tmp/fake.onnx: not an ONNX model (protobuf parsing failed)' };
    });
    const store = useBackbonesStore();
    expect(await store.importBackbone({ path: '/tmp/fake.onnx' })).toBeNull();
    expect(store.importError?.code).toBe('BAD_INPUT');
    expect(store.importError?.message).toContain('fake.onnx: not an ONNX model');
    expect(store.backbones).toEqual([]);
    store.clearImportResult();
    expect(store.importError).toBeNull();
  });

  it('benchmarks one backbone at a time with a small batch', async () => {
    let finish!: () => void;
    bridge.handle('backbone.bench', (input) => {
      const { batchSize } = input as { batchSize: number };
      return new Promise((resolve) => (finish = () => resolve({ tilesPerSecond: 812.5, provider: 'cpu', batch: batchSize })));
    });
    const store = useBackbonesStore();
    const running = store.bench(2);
    expect(store.benchmarking).toEqual([2]);
    expect(await store.bench(2)).toBeNull(); // already running: no second call
    await new Promise((resolve) => setTimeout(resolve, 0));
    finish();
    expect(await running).toEqual({ tilesPerSecond: 812.5, provider: 'cpu', batch: BENCH_BATCH_SIZE });
    expect(bridge.calls.filter((c) => c.method === 'backbone.bench')).toEqual([
      { method: 'backbone.bench', input: { backbone: 2, batchSize: BENCH_BATCH_SIZE } },
    ]);
    expect(store.benchmarking).toEqual([]);
    expect(store.benchmarks[2]?.provider).toBe('cpu');

    bridge.handle('backbone.bench', () => {
      throw { code: 'BAD_INPUT', message: 'model-3.onnx: CUDA is not available' };
    });
    expect(await store.bench(3)).toBeNull();
    expect(store.benchErrors[3]).toBe('model-3.onnx: CUDA is not available');
  });

  it('starts an extraction job and reloads the vector counts when an embed job ends', async () => {
    let stored = 0;
    bridge.handle('backbone.list', () => [classic, backbone(2, { embeddings: stored })]);
    bridge.handle('embed.start', () => ({ jobId: 'job-1' }));
    const store = useBackbonesStore();
    await store.load();
    store.watchJobs();
    store.watchJobs(); // idempotent
    expect(bridge.listenerCount('job.progress')).toBe(1);

    store.selectForExtraction(['/slides/a.tif', '/slides/a.tif', '/slides/b.tif']);
    expect(store.extractPaths).toEqual(['/slides/a.tif', '/slides/b.tif']);

    const jobId = await store.startExtraction({ paths: store.extractPaths, backbone: 2, level: 0, minTissue: 0, views: 'none', batchSize: 8 });
    expect(jobId).toBe('job-1');
    expect(store.extractionJobIds).toEqual(['job-1']);
    expect(bridge.calls.at(-1)).toEqual({
      method: 'embed.start',
      input: { paths: ['/slides/a.tif', '/slides/b.tif'], backbone: 2, level: 0, minTissue: 0, views: 'none', batchSize: 8 },
    });

    const lists = () => bridge.calls.filter((c) => c.method === 'backbone.list').length;
    const before = lists();
    bridge.emit('job.progress', jobEvent('job-1', { kind: 'embed', done: 96, total: 192 }));
    bridge.emit('job.progress', jobEvent('other', { kind: 'train', state: 'done' }));
    expect(lists()).toBe(before); // neither a running job nor another kind changes the counts

    stored = 192;
    bridge.emit('job.progress', jobEvent('job-1', { kind: 'embed', state: 'done', done: 192, total: 192 }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(lists()).toBe(before + 1);
    expect(store.backbones.find((b) => b.id === 2)?.embeddings).toBe(192);

    store.stopWatchingJobs();
    expect(bridge.listenerCount('job.progress')).toBe(0);
  });

  it('forgets benchmarks, ticked paths and jobs when another project opens', async () => {
    bridge
      .handle('backbone.bench', () => ({ tilesPerSecond: 100, provider: 'cpu', batch: BENCH_BATCH_SIZE }))
      .handle('embed.start', () => ({ jobId: 'job-1' }))
      .handle('project.open', (input) => projectSummary((input as { path: string }).path));
    const project = useProjectStore();
    await project.load();
    const store = useBackbonesStore();
    await store.bench(1);
    store.selectForExtraction(['/slides/a.tif']);
    await store.startExtraction({ paths: store.extractPaths, backbone: 1 });
    expect(store.benchmarks[1]).toBeDefined();

    await project.open('/data/other.histo');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.benchmarks).toEqual({});
    expect(store.extractPaths).toEqual([]);
    expect(store.extractionJobIds).toEqual([]);
  });

  it('keeps a refused extraction as an error', async () => {
    const store = useBackbonesStore();
    // Both mpp and level: the contract refuses it before any handler runs.
    expect(await store.startExtraction({ paths: ['/slides/a.tif'], backbone: 1, mpp: 0.5, level: 0 })).toBeNull();
    expect(store.extractError?.code).toBe('VALIDATION');
    expect(store.extractionJobIds).toEqual([]);
    expect(store.startingExtraction).toBe(false);
  });
});
