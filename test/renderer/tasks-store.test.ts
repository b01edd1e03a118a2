import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobOutcome, TaskSummary } from '../../src-shared/contract';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { useTasksStore } from '../../src-renderer/src/stores/tasks-store';
import { InMemoryBridge, jobEvent } from './in-memory-bridge';

function task(name: string, perClass: Record<string, number>): TaskSummary {
  return { id: 1, name, classes: Object.keys(perClass), detection: false, labels: { perClass, perSlide: [] } };
}

let bridge: InMemoryBridge;

beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new InMemoryBridge();
  installBridge(bridge);
  bridge.handle('project.current', () => null);
});

describe('useTasksStore', () => {
  it('lists tasks, and treats no open project as an empty list rather than an error', async () => {
    bridge.handle('task.list', () => [task('tissue', { tumour: 3, stroma: 2 })]);
    const store = useTasksStore();
    await store.load();
    expect(store.tasks.map((t) => t.name)).toEqual(['tissue']);
    expect(store.error).toBeNull();

    bridge.handle('task.list', () => {
      throw { code: 'NO_PROJECT', message: 'no project is open' };
    });
    await store.load();
    expect(store.tasks).toEqual([]);
    expect(store.error).toBeNull();
  });

  it('creates a task with trimmed, unique classes', async () => {
    bridge.handle('task.create', (input) => {
      const { name, classes } = input as { name: string; classes: string[] };
      return { id: 7, name, classes, detection: false, labels: { perClass: {}, perSlide: [] } };
    });
    const store = useTasksStore();
    const created = await store.create(' tissue ', ['tumour', ' stroma', 'tumour', '']);
    expect(bridge.calls.find((c) => c.method === 'task.create')?.input).toEqual({ name: 'tissue', classes: ['tumour', 'stroma'] });
    expect(created?.id).toBe(7);
    expect(store.tasks.map((t) => t.id)).toEqual([7]);
    expect(store.createError).toBeNull();
  });

  it('keeps the core refusal of a label file, naming the file and line, and leaves the counts alone', async () => {
    bridge.handle('task.list', () => [task('tissue', { tumour: 3, stroma: 2 })]);
    bridge.handle('label.import', () => {
      throw { code: 'BAD_INPUT', message: "/data/labels.csv: line 4: unknown class 'fat' (task tissue has: tumour, stroma)" };
    });
    const store = useTasksStore();
    await store.load();
    expect(await store.importLabels({ task: 'tissue', path: ' /data/labels.csv ' })).toBeNull();
    expect(bridge.calls.find((c) => c.method === 'label.import')?.input).toEqual({ task: 'tissue', path: '/data/labels.csv' });
    expect(store.labelsImportError?.code).toBe('BAD_INPUT');
    expect(store.labelsImportError?.message).toContain('/data/labels.csv: line 4');
    expect(store.tasks[0]!.labels.perClass).toEqual({ tumour: 3, stroma: 2 });
    store.clearLabelsImport();
    expect(store.labelsImportError).toBeNull();
  });

  it('imports a GeoJSON file for one slide and reloads the counts', async () => {
    let labelled = 0;
    bridge.handle('task.list', () => [task('tissue', { tumour: labelled, stroma: 0 })]);
    bridge.handle('label.import', () => {
      labelled = 12;
      return { file: '/data/a.geojson', labels: 12, perClass: { tumour: 12 } };
    });
    const store = useTasksStore();
    const result = await store.importLabels({ task: 'tissue', path: '/data/a.geojson', slide: '/slides/a.svs' });
    expect(bridge.calls.find((c) => c.method === 'label.import')?.input).toEqual({ task: 'tissue', path: '/data/a.geojson', slide: '/slides/a.svs' });
    expect(result?.labels).toBe(12);
    expect(store.lastLabelsImport?.perClass).toEqual({ tumour: 12 });
    expect(store.tasks[0]!.labels.perClass.tumour).toBe(12);
  });

  it('follows a patch-folder import job to its result and reloads the tasks', async () => {
    let outcome: JobOutcome = { jobId: 'job-1', kind: 'dataset.import-folder', state: 'running', result: null, error: null };
    let listed: TaskSummary[] = [];
    bridge
      .handle('dataset.importFolder', () => ({ jobId: 'job-1' }))
      .handle('job.result', () => outcome)
      .handle('task.list', () => listed);
    const store = useTasksStore();
    expect(await store.importFolder(' /data/patches ', 'tissue')).toBe('job-1');
    expect(store.folderImport).toMatchObject({ jobId: 'job-1', path: '/data/patches', state: 'running' });
    await Promise.resolve();

    outcome = { jobId: 'job-1', kind: 'dataset.import-folder', state: 'done', result: { task: { id: 1, name: 'tissue', classes: ['a', 'b', 'c'] }, images: 30, perClass: { a: 10, b: 10, c: 10 }, failed: [] }, error: null };
    listed = [task('tissue', { a: 10, b: 10, c: 10 })];
    bridge.emit('job.progress', jobEvent('job-1', { kind: 'dataset.import-folder', state: 'done', done: 30, total: 30 }));
    await expect.poll(() => store.folderImport?.state).toBe('done');
    expect(store.folderImport?.result?.images).toBe(30);
    await expect.poll(() => store.tasks.length).toBe(1);
  });

  it('reports a failed folder job with the core message', async () => {
    bridge
      .handle('dataset.importFolder', () => ({ jobId: 'job-2' }))
      .handle('job.result', () => ({ jobId: 'job-2', kind: 'dataset.import-folder', state: 'failed', result: null, error: { code: 'BAD_INPUT', message: '/data/x: no class folders with PNG or JPEG images' } }))
      .handle('task.list', () => []);
    const store = useTasksStore();
    await store.importFolder('/data/x', 'tissue');
    await expect.poll(() => store.folderImport?.state).toBe('failed');
    expect(store.folderImport?.error).toContain('no class folders');
  });

  it('exports labels and keeps an export refusal', async () => {
    bridge.handle('label.export', () => ({ file: '/out/labels.csv', labels: 30 }));
    const store = useTasksStore();
    expect((await store.exportLabels({ task: 'tissue', out: '/out/labels.csv' }))?.labels).toBe(30);
    expect(store.lastExport?.file).toBe('/out/labels.csv');

    bridge.handle('label.export', () => {
      throw { code: 'NOT_FOUND', message: '/nope: folder does not exist' };
    });
    expect(await store.exportLabels({ task: 'tissue', out: '/nope/labels.csv' })).toBeNull();
    expect(store.exportError?.message).toBe('/nope: folder does not exist');
    expect(store.lastExport).toBeNull();
  });
});
