import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppInfo } from '../../src-shared/contract';
import { HistoCallError, installBridge } from '../../src-renderer/src/api/histo-api';
import { useAppInfoStore } from '../../src-renderer/src/stores/app-info-store';
import { useJobsStore } from '../../src-renderer/src/stores/jobs-store';
import { useProjectStore } from '../../src-renderer/src/stores/project-store';
import { InMemoryBridge, jobEvent, projectSummary } from './in-memory-bridge';

const appInfo: AppInfo = {
  name: 'Histo Workstation',
  version: '0.1.0',
  platform: 'linux',
  arch: 'x64',
  node: '20.20.2',
  onnxruntime: '1.30.0',
  executionProviders: ['cpu'],
  projectPath: null,
  defaultProject: '/home/user/Histo/project.histo',
};

let bridge: InMemoryBridge;

beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new InMemoryBridge();
  installBridge(bridge);
});

describe('useAppInfoStore', () => {
  it('loads app.info', async () => {
    bridge.handle('app.info', () => appInfo);
    const store = useAppInfoStore();
    expect(store.info).toBeNull();
    const loading = store.load();
    expect(store.loading).toBe(true);
    await loading;
    expect(store.loading).toBe(false);
    expect(store.info).toEqual(appInfo);
    expect(store.error).toBeNull();
  });

  it('keeps the error code of a failed call', async () => {
    bridge.handle('app.info', () => {
      throw { code: 'INTERNAL', message: 'onnxruntime failed to load' };
    });
    const store = useAppInfoStore();
    await store.load();
    expect(store.info).toBeNull();
    expect(store.error).toBeInstanceOf(HistoCallError);
    expect(store.error?.code).toBe('INTERNAL');
    expect(store.error?.message).toBe('onnxruntime failed to load');
  });
});

describe('useProjectStore', () => {
  it('creates, closes and opens a project', async () => {
    let open: string | null = null;
    bridge
      .handle('project.create', (input) => projectSummary((open = (input as { path: string }).path)))
      .handle('project.open', (input) => projectSummary((open = (input as { path: string }).path)))
      .handle('project.close', () => ((open = null), null))
      .handle('project.current', () => (open ? projectSummary(open) : null));
    const store = useProjectStore();

    await store.load();
    expect(store.isOpen).toBe(false);

    expect(await store.create('  /data/a.histo  ')).toBe(true);
    expect(bridge.calls.at(-1)).toEqual({ method: 'project.create', input: { path: '/data/a.histo' } });
    expect(store.current?.path).toBe('/data/a.histo');
    expect(store.isOpen).toBe(true);

    expect(await store.close()).toBe(true);
    expect(store.current).toBeNull();

    expect(await store.open('/data/a.histo')).toBe(true);
    expect(store.current?.path).toBe('/data/a.histo');
    expect(store.busy).toBe(false);
  });

  it('shows why a project was refused and keeps the previous state', async () => {
    bridge.handle('project.open', () => {
      throw { code: 'PROJECT_REFUSED', message: '/tmp/x.histo is not a Histo project (not an SQLite file)' };
    });
    const store = useProjectStore();
    expect(await store.open('/tmp/x.histo')).toBe(false);
    expect(store.current).toBeNull();
    expect(store.error?.code).toBe('PROJECT_REFUSED');
    expect(store.error?.message).toContain('/tmp/x.histo');
    store.clearError();
    expect(store.error).toBeNull();
  });

  it('reports a contract violation (empty path) as VALIDATION', async () => {
    const store = useProjectStore();
    expect(await store.create('   ')).toBe(false);
    expect(store.error?.code).toBe('VALIDATION');
  });
});

describe('useJobsStore', () => {
  it('lists running jobs, then follows job.progress events', async () => {
    bridge.handle('job.list', () => [jobEvent('a', { done: 10 }), jobEvent('b', { total: null })]);
    const store = useJobsStore();
    await store.start();
    expect(bridge.listenerCount('job.progress')).toBe(1);
    expect(store.active.map((job) => job.jobId)).toEqual(['a', 'b']);

    bridge.emit('job.progress', jobEvent('a', { done: 50, rate: 12.5, etaSeconds: 4 }));
    bridge.emit('job.progress', jobEvent('c', { kind: 'train' }));
    expect(store.jobs.find((job) => job.jobId === 'a')?.done).toBe(50);
    expect(store.active).toHaveLength(3);

    bridge.emit('job.progress', jobEvent('a', { state: 'done', done: 100 }));
    expect(store.active.map((job) => job.jobId)).toEqual(['b', 'c']);
    expect(store.finished.map((job) => job.jobId)).toEqual(['a']);

    store.clearFinished();
    expect(store.jobs).toHaveLength(2);

    await store.start(); // idempotent: still one subscription
    expect(bridge.listenerCount('job.progress')).toBe(1);
    store.stop();
    expect(bridge.listenerCount('job.progress')).toBe(0);
  });

  it('prefers an event that arrived while job.list was in flight', async () => {
    bridge.handle('job.list', () => {
      bridge.emit('job.progress', jobEvent('a', { done: 90 }));
      return [jobEvent('a', { done: 10 })];
    });
    const store = useJobsStore();
    await store.start();
    expect(store.jobs).toEqual([jobEvent('a', { done: 90 })]);
  });

  it('cancels a job and marks it until the cancelled event arrives', async () => {
    bridge.handle('job.list', () => [jobEvent('a')]).handle('job.cancel', (input) => (input as { jobId: string }).jobId === 'a');
    const store = useJobsStore();
    await store.start();

    expect(await store.cancel('a')).toBe(true);
    expect(bridge.calls.at(-1)).toEqual({ method: 'job.cancel', input: { jobId: 'a' } });
    expect(store.cancelling).toEqual(['a']);

    bridge.emit('job.progress', jobEvent('a', { state: 'cancelled' }));
    expect(store.cancelling).toEqual([]);
    expect(store.active).toHaveLength(0);

    expect(await store.cancel('unknown')).toBe(false);
    expect(store.cancelling).toEqual([]);
  });

  it('keeps a failed cancel as an error', async () => {
    bridge.handle('job.list', () => [jobEvent('a')]).handle('job.cancel', () => {
      throw { code: 'NOT_FOUND', message: 'no job a' };
    });
    const store = useJobsStore();
    await store.start();
    expect(await store.cancel('a')).toBe(false);
    expect(store.error?.code).toBe('NOT_FOUND');
    expect(store.cancelling).toEqual([]);
  });

  it('keeps at most 20 finished jobs', async () => {
    bridge.handle('job.list', () => []);
    const store = useJobsStore();
    await store.start();
    for (let i = 0; i < 25; i++) bridge.emit('job.progress', jobEvent(`j${i}`, { state: 'done' }));
    expect(store.finished).toHaveLength(20);
    expect(store.finished[0]?.jobId).toBe('j5');
  });
});
