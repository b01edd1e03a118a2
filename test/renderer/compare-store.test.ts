import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ComparisonResult, JobOutcome, ProjectSummary } from '../../src-shared/contract';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { comparisonVerdict, useCompareStore, type ComparisonListing } from '../../src-renderer/src/stores/compare-store';
import { useProjectStore } from '../../src-renderer/src/stores/project-store';
import { InMemoryBridge, jobEvent, projectSummary } from './in-memory-bridge';

type Score = ComparisonResult['ranking'][number];

function score(backbone: string, backboneId: number, f1Macro: number, ci95: [number, number]): Score {
  return {
    backbone,
    backboneId,
    f1Macro,
    f1Std: 0.02,
    ci95,
    balancedAccuracy: f1Macro,
    rocAuc: null,
    knnAccuracy: f1Macro - 0.05,
    tilesPerSecond: 1200,
    provider: 'cpu',
    dim: 16,
    storageMBPer10kTiles: 0.61,
    rankMe: 9.4,
    augInvariance: 0.8,
    neighbourConsistency: null,
  };
}

function comparison(id: number, ranking: Score[], notSeparable: Array<[string, string]> = []): ComparisonResult {
  return { id, task: 'proxy', head: 'logreg', folds: 5, seed: 0, ranking, notSeparable, transfer: [], seconds: 2.5 };
}

const separated = comparison(7, [score('good', 2, 0.96, [0.9, 1]), score('noise', 3, 0.52, [0.4, 0.64])]);
const listing = (id: number): ComparisonListing => ({ id, task: 'proxy', createdAt: '2025-01-02T10:00:00.000Z', backbones: ['good', 'noise'], winner: 'good', notSeparable: 0 });

let bridge: InMemoryBridge;
let project: ProjectSummary;

beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new InMemoryBridge();
  project = projectSummary('/data/study.histo');
  bridge.handle('project.current', () => project);
  installBridge(bridge);
});

describe('comparisonVerdict', () => {
  it('crowns the top backbone only when it is separable from every other', () => {
    expect(comparisonVerdict(separated)).toEqual({ best: 'good', tiedWith: { good: [], noise: [] } });

    const tiedAtTop = comparison(8, [score('a', 1, 0.9, [0.8, 0.97]), score('b', 2, 0.88, [0.79, 0.95]), score('c', 3, 0.5, [0.4, 0.6])], [['a', 'b']]);
    expect(comparisonVerdict(tiedAtTop)).toEqual({ best: null, tiedWith: { a: ['b'], b: ['a'], c: [] } });

    // A tie lower down does not take the crown from a separable leader.
    const tiedBelow = comparison(9, [score('a', 1, 0.95, [0.9, 1]), score('b', 2, 0.6, [0.5, 0.7]), score('c', 3, 0.58, [0.48, 0.68])], [['b', 'c']]);
    expect(comparisonVerdict(tiedBelow).best).toBe('a');
    expect(comparisonVerdict(tiedBelow).tiedWith.c).toEqual(['b']);
  });
});

describe('useCompareStore', () => {
  it('lists stored comparisons; no project open is a state, not an error', async () => {
    bridge.handle('compare.list', () => [listing(2), listing(1)]);
    const store = useCompareStore();
    await store.load();
    expect(store.history.map((h) => h.id)).toEqual([2, 1]);
    expect(store.error).toBeNull();

    bridge.handle('compare.list', () => {
      throw { code: 'NO_PROJECT', message: 'no project is open' };
    });
    await store.load();
    expect(store.history).toEqual([]);
    expect(store.error).toBeNull();
  });

  it('starts a comparison, follows its job and shows the result when it is done', async () => {
    let outcome: JobOutcome = { jobId: 'job-1', kind: 'compare', state: 'running', result: null, error: null };
    let stored: ComparisonListing[] = [];
    bridge
      .handle('compare.start', () => ({ jobId: 'job-1' }))
      .handle('job.result', () => outcome)
      .handle('compare.list', () => stored);
    const store = useCompareStore();

    const request = { task: 'proxy', backbones: [2, 3], head: 'logreg' as const, folds: 4, seed: 1, downstream: [], measureSpeed: true };
    expect(await store.start(request)).toBe('job-1');
    expect(bridge.calls.find((c) => c.method === 'compare.start')?.input).toEqual(request);
    expect(store.run).toMatchObject({ jobId: 'job-1', state: 'running' });
    // A second start while one runs is refused without a call.
    expect(await store.start(request)).toBeNull();
    expect(bridge.calls.filter((c) => c.method === 'compare.start')).toHaveLength(1);

    outcome = { jobId: 'job-1', kind: 'compare', state: 'done', result: separated, error: null };
    stored = [listing(7)];
    bridge.emit('job.progress', jobEvent('job-1', { kind: 'compare', state: 'done', done: 4, total: 4 }));
    await vi.waitFor(() => expect(store.run?.state).toBe('done'));
    expect(store.shown).toEqual(separated);
    expect(store.run?.error).toBeNull();
    await vi.waitFor(() => expect(store.history.map((h) => h.id)).toEqual([7]));
  });

  it('reports a failed job with the core message, and a result it cannot read', async () => {
    bridge
      .handle('compare.start', () => ({ jobId: 'job-2' }))
      .handle('job.result', () => ({ jobId: 'job-2', kind: 'compare', state: 'failed', result: null, error: { code: 'BAD_INPUT', message: "backbone 'noise': 3 labelled tiles of proxy could not be embedded" } }))
      .handle('compare.list', () => []);
    const store = useCompareStore();
    await store.start({ task: 'proxy', backbones: ['good', 'noise'] });
    await vi.waitFor(() => expect(store.run?.state).toBe('failed'));
    expect(store.run?.error).toContain('could not be embedded');
    expect(store.shown).toBeNull();

    bridge.handle('compare.start', () => ({ jobId: 'job-3' })).handle('job.result', () => ({ jobId: 'job-3', kind: 'compare', state: 'done', result: { ranking: 'nope' }, error: null }));
    await store.start({ task: 'proxy', backbones: ['good', 'noise'] });
    await vi.waitFor(() => expect(store.run).toMatchObject({ jobId: 'job-3', state: 'failed' }));
    expect(store.run?.error).toMatch(/output broke the contract/);
  });

  it('keeps the refusal of compare.start', async () => {
    bridge.handle('compare.start', () => {
      throw { code: 'NOT_FOUND', message: "no task named 'proxy'" };
    });
    const store = useCompareStore();
    expect(await store.start({ task: 'proxy', backbones: [2, 3] })).toBeNull();
    expect(store.startError?.code).toBe('NOT_FOUND');
    expect(store.run).toBeNull();
  });

  it('re-opens a stored comparison', async () => {
    bridge.handle('compare.get', (input) => {
      const { id } = input as { id: number };
      if (id !== 7) throw { code: 'NOT_FOUND', message: `no comparison ${id} in this project` };
      return separated;
    });
    const store = useCompareStore();
    expect(await store.open(7)).toBe(true);
    expect(store.shown?.id).toBe(7);
    expect(store.opening).toBeNull();

    expect(await store.open(99)).toBe(false);
    expect(store.openError?.message).toBe('no comparison 99 in this project');
    expect(store.shown?.id).toBe(7);
  });

  it('sets the default backbone and reloads the project summary that shows it', async () => {
    bridge.handle('project.setDefaultBackbone', (input) => {
      project = { ...project, defaultBackbone: (input as { backbone: number }).backbone === 2 ? 'good' : 'other' };
      return null;
    });
    const projectStore = useProjectStore();
    await projectStore.load();
    expect(projectStore.current?.defaultBackbone).toBeNull();

    const store = useCompareStore();
    const setting = store.setDefaultBackbone(2, 'good');
    expect(store.settingDefault).toBe('good');
    expect(await setting).toBe(true);
    expect(store.settingDefault).toBeNull();
    expect(projectStore.current?.defaultBackbone).toBe('good');
    expect(bridge.calls.filter((c) => c.method === 'project.setDefaultBackbone').map((c) => c.input)).toEqual([{ backbone: 2 }]);

    bridge.handle('project.setDefaultBackbone', () => {
      throw { code: 'NOT_FOUND', message: 'no backbone 5 in this project' };
    });
    expect(await store.setDefaultBackbone(5, 'gone')).toBe(false);
    expect(store.defaultError?.message).toBe('no backbone 5 in this project');
  });

  it('forgets runs and results when another project opens', async () => {
    bridge.handle('compare.get', () => separated).handle('project.open', (input) => (project = projectSummary((input as { path: string }).path)));
    const projectStore = useProjectStore();
    await projectStore.load();
    const store = useCompareStore();
    await store.open(7);
    expect(store.shown).not.toBeNull();
    await projectStore.open('/data/other.histo');
    await vi.waitFor(() => expect(store.shown).toBeNull());
    expect(store.history).toEqual([]);
  });

  it('asks what a comparison would resample, keeps only the latest answer, and says why it cannot', async () => {
    const units = (excluded: number[]) => ({
      slides: { count: 3, tiles: 40 },
      slideUnit: 'tile' as const,
      patchSets: [{ id: 4, name: 'kather', images: 700, units: 700, rule: 'image' as const, included: !excluded.includes(4) }],
    });
    let release: () => void = () => {};
    bridge.handle('compare.units', async (input) => {
      const { excludePatchSets } = input as { excludePatchSets: number[] };
      // The first question is answered last: its stale answer must not win.
      if (excludePatchSets.length === 0) await new Promise<void>((resolve) => (release = resolve));
      return units(excludePatchSets);
    });
    const store = useCompareStore();
    const first = store.loadUnits('proxy', []);
    await store.loadUnits('proxy', [4]);
    release();
    await first;
    expect(store.units?.patchSets[0]!.included).toBe(false);
    expect(bridge.calls.filter((c) => c.method === 'compare.units').map((c) => c.input)).toEqual([
      { task: 'proxy', excludePatchSets: [] },
      { task: 'proxy', excludePatchSets: [4] },
    ]);

    bridge.handle('compare.units', () => {
      throw { code: 'NOT_FOUND', message: "no task 'gone' in this project" };
    });
    await store.loadUnits('gone', []);
    expect(store.units).toBeNull();
    expect(store.unitsError?.message).toBe("no task 'gone' in this project");
  });
});
