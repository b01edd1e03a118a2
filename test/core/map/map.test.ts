import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoCore } from '../../../src-main/core/histo-core';
import { TasksRepo } from '../../../src-main/core/project/repos/tasks-repo';
import { BackbonesRepo } from '../../../src-main/core/project/repos/backbones-repo';
import { loadTaskDataset } from '../../../src-main/core/training/load-task-dataset';
import { useTempDir } from '../../helpers/temp-dir';
import { clusteredProject } from '../search/clustered-project';

const tempDir = useTempDir();
let core: HistoCore | null = null;
afterEach(() => {
  core?.close();
  core = null;
});

type StudyMap = { tileIds: number[]; x: number[]; y: number[]; method: string; colors: { kind: string; categories: string[]; values: number[] } };

async function computedMap(sample?: number) {
  const project = clusteredProject(tempDir(), { clusters: 3, perCluster: 60 });
  core = new HistoCore();
  core.useProject(project.store);
  const started = await core.dispatch('map.start', { backbone: 'clustered', ...(sample ? { sample } : {}) });
  expect(started.ok, JSON.stringify(started)).toBe(true);
  const { jobId } = (started as { result: { jobId: string } }).result;
  await core.jobs.resultOf(jobId);
  const got = await core.dispatch('map.get', { backbone: 'clustered' });
  expect(got.ok, JSON.stringify(got)).toBe(true);
  return { ...project, core, map: (got as { result: StudyMap }).result };
}

/** Share of points whose nearest other point on the map belongs to the same cluster. */
function neighbourPurity(map: StudyMap, clusterOf: Map<number, number>): number {
  let same = 0;
  for (let i = 0; i < map.tileIds.length; i++) {
    let best = Infinity;
    let nearest = -1;
    for (let j = 0; j < map.tileIds.length; j++) {
      if (j === i) continue;
      const d = (map.x[i]! - map.x[j]!) ** 2 + (map.y[i]! - map.y[j]!) ** 2;
      if (d < best) {
        best = d;
        nearest = j;
      }
    }
    if (clusterOf.get(map.tileIds[i]!) === clusterOf.get(map.tileIds[nearest]!)) same++;
  }
  return same / map.tileIds.length;
}

describe('study map', () => {
  it('separates known clusters when fitted on every tile', async () => {
    const { map, clusterOf } = await computedMap();
    expect(map.tileIds).toHaveLength(180);
    expect(map.method).toMatch(/UMAP of all 180 tiles/);
    expect(map.x.every(Number.isFinite) && map.y.every(Number.isFinite)).toBe(true);
    expect(neighbourPurity(map, clusterOf)).toBeGreaterThanOrEqual(0.97);
    expect(map.colors).toMatchObject({ kind: 'category', categories: [expect.stringMatching(/slide-0/), expect.stringMatching(/slide-1/)] });
  });

  it('fits a stratified sample and places the other tiles with their cluster, and says so', async () => {
    const { map, clusterOf } = await computedMap(60);
    expect(map.method).toMatch(/stratified sample of 60 of 180 tiles.*placed at the distance-weighted mean/);
    expect(neighbourPurity(map, clusterOf)).toBeGreaterThanOrEqual(0.95);
  });

  it('labels a lasso selection (source map), colours by label, trains on it, and exports one row per tile', async () => {
    const { map, clusterOf, core, store, backboneId, file } = await computedMap();
    new TasksRepo(store.db).create('tissue', ['a', 'b']);
    // A "lasso": the points nearest to the centroid of cluster 2's map positions.
    const members = map.tileIds.map((t, i) => ({ t, i })).filter(({ t }) => clusterOf.get(t) === 2);
    const cx = members.reduce((s, m) => s + map.x[m.i]!, 0) / members.length;
    const cy = members.reduce((s, m) => s + map.y[m.i]!, 0) / members.length;
    const lasso = map.tileIds
      .map((t, i) => ({ t, d: (map.x[i]! - cx) ** 2 + (map.y[i]! - cy) ** 2 }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 25)
      .map((p) => p.t);
    expect(lasso.every((t) => clusterOf.get(t) === 2)).toBe(true);
    const labelled = await core.dispatch('search.label', { task: 'tissue', className: 'b', tileIds: lasso, source: 'map' });
    expect(labelled.ok, JSON.stringify(labelled)).toBe(true);
    const coloured = (await core.dispatch('map.get', { backbone: 'clustered', colorBy: { by: 'label', task: 'tissue' } })) as { result: StudyMap };
    expect(coloured.result.colors.values.filter((v) => v === 1)).toHaveLength(25);
    const dataset = loadTaskDataset(store, new TasksRepo(store.db).require('tissue'), new BackbonesRepo(store.db).get(backboneId)!, { groupBy: 'none' });
    expect([...dataset.tileIds].sort((a, b) => a - b)).toEqual([...lasso].sort((a, b) => a - b));

    const csv = path.join(path.dirname(file), 'map.csv');
    expect(await core.dispatch('map.export', { backbone: 'clustered', out: csv })).toMatchObject({ ok: true, result: { tiles: 180 } });
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('tileId,source,x,y,mapX,mapY');
    expect(lines).toHaveLength(181);
    const first = lines[1]!.split(',');
    expect(Number(first[4])).toBeCloseTo(map.x[0]!, 4);
  });

  it('refuses a backbone with no stored vectors before starting a job', async () => {
    const project = clusteredProject(tempDir());
    core = new HistoCore();
    core.useProject(project.store);
    const out = await core.dispatch('map.start', { backbone: 'empty' });
    expect(out).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^backbone 'empty' has no stored vectors/) } });
    expect(core.jobs.list()).toHaveLength(0);
    expect(await core.dispatch('map.get', { backbone: 'empty' })).toEqual({ ok: true, result: null });
  });
});
