import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { useClusterStore } from '../../src-renderer/src/stores/cluster-store';
import { InMemoryBridge, projectSummary } from './in-memory-bridge';

let bridge: InMemoryBridge;

beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new InMemoryBridge();
  bridge.handle('project.current', () => projectSummary('/data/study.histo'));
  installBridge(bridge);
});

const request = { slides: '/shared/slides.txt', outDir: '/shared/run1', shards: 3, backbone: 2, gpusPerTask: 1, provider: 'cuda' as const, embed: { mpp: 0.5, minTissue: 0.5 }, submit: true };

describe('useClusterStore', () => {
  it('writes and submits the script, follows the array, and imports the finished shards', async () => {
    bridge.handle('cluster.script', () => ({ script: '/shared/run1/histo-embed.sbatch', inputs: 12, jobId: '41' }));
    bridge.handle('cluster.status', () => ({
      shards: [
        { shard: 1, state: 'done', detail: '41_1' },
        { shard: 2, state: 'missing', detail: null },
        { shard: 3, state: 'done', detail: '41_3' },
      ],
      tasks: [
        { task: 1, state: 'COMPLETED', reason: null },
        { task: 2, state: 'RUNNING', reason: null },
        { task: 3, state: 'COMPLETED', reason: null },
      ],
      slurmError: null,
    }));
    const added = { slides: 4, tilings: 4, tiles: 200, embeddings: 200, predictions: 0 };
    const shard = (k: number) => ({ file: `/shared/run1/shard-${k}.histo`, spec: `${k}/3`, slides: 4, added, predictionsWithoutHead: 0 });
    const summary = { into: '/data/study.histo', added: { slides: 8, tilings: 8, tiles: 400, embeddings: 400, predictions: 0 }, shards: [shard(1), shard(3)], seconds: 2 };
    bridge.handle('cluster.import', () => ({ jobId: 'job-9', shards: [] }));
    bridge.handle('job.result', () => ({ jobId: 'job-9', kind: 'merge', state: 'done', result: summary, error: null }));

    const store = useClusterStore();
    await store.writeScript(request);
    expect(store.jobId).toBe('41');
    expect(store.outDir).toBe('/shared/run1');
    await store.refresh();
    expect(bridge.calls.at(-1)).toEqual({ method: 'cluster.status', input: { outDir: '/shared/run1', jobId: '41' } });
    expect(store.status?.tasks?.map((t) => t.state)).toEqual(['COMPLETED', 'RUNNING', 'COMPLETED']);
    await store.importFinished();
    expect(store.imported).toEqual(summary);
    expect(store.error).toBeNull();
  });

  it('keeps the error of a refused script or a failed merge for the panel to show', async () => {
    bridge.handle('cluster.script', () => {
      throw { code: 'NOT_FOUND', message: 'sbatch: not found; run this on a Slurm login node' };
    });
    const store = useClusterStore();
    await store.writeScript(request);
    expect(store.error?.message).toMatch(/sbatch: not found/);
    expect(store.outDir).toBeNull();

    store.follow('/shared/run1', null);
    bridge.handle('cluster.import', () => ({ jobId: 'job-2', shards: [] }));
    bridge.handle('job.result', () => ({ jobId: 'job-2', kind: 'merge', state: 'failed', result: null, error: { code: 'BAD_INPUT', message: '/shared/run1/shard-2.histo: tiled with size=64' } }));
    await store.importFinished();
    expect(store.error).toMatchObject({ code: 'BAD_INPUT', message: '/shared/run1/shard-2.histo: tiled with size=64' });
    expect(store.imported).toBeNull();
    expect(store.busy).toBeNull();
  });
});
