import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { importPatchFolder } from '../../../src-main/core/labels/import-patch-folder';
import { compareBackbones } from '../../../src-main/core/compare/compare-backbones';
import { augmentationInvariance, rankMe, spearman } from '../../../src-main/core/compare/embedding-diagnostics';
import { symmetricEigenvalues } from '../../../src-main/core/compare/symmetric-eigenvalues';
import type { StoredBackbone } from '../../../src-main/core/project/repos/backbones-repo';
import type { StoredTask } from '../../../src-main/core/project/repos/tasks-repo';
import { centrePixelModel, linearEmbedder } from '../../helpers/onnx-models';
import { writeNoisyPatchDataset, writeThreeRegionSlide, writeTwoRegionSlide } from '../../helpers/embedding-fixtures';
import { registerSource } from '../../../src-main/core/extraction/extraction-plan';
import { importLabels } from '../../../src-main/core/labels/import-labels';
import { LabelsRepo } from '../../../src-main/core/project/repos/labels-repo';
import { TasksRepo } from '../../../src-main/core/project/repos/tasks-repo';
import { comparisonUnitsText } from '../../../src-shared/domain/comparison-units-text';

describe('diagnostics', () => {
  it('finds the eigenvalues of a symmetric matrix', () => {
    const values = Array.from(symmetricEigenvalues(Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]), 3)).sort((a, b) => a - b);
    // Characteristic polynomial of [[4,1,0],[1,3,1],[0,1,2]]: roots 3 - sqrt(3), 3, 3 + sqrt(3).
    [3 - Math.sqrt(3), 3, 3 + Math.sqrt(3)].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 9));
  });

  it('gives RankMe 1 to collapsed embeddings and about dim to isotropic ones', () => {
    const n = 200;
    const dim = 8;
    const collapsed = new Float32Array(n * dim);
    const isotropic = new Float32Array(n * dim);
    let s = 7;
    const rand = () => ((s = (Math.imul(s, 48271) >>> 0) % 2147483647) / 2147483647) - 0.5;
    for (let i = 0; i < n; i++) {
      const t = rand();
      for (let d = 0; d < dim; d++) {
        collapsed[i * dim + d] = t * (d + 1);
        isotropic[i * dim + d] = rand();
      }
    }
    expect(rankMe(collapsed, n, dim)).toBeLessThan(1.1);
    expect(rankMe(isotropic, n, dim)).toBeGreaterThan(6.5);
  });

  it('scores invariance 1 for identical views and about 0 for unrelated ones, and ranks with Spearman', () => {
    const tiles = 10;
    const same = new Float32Array(tiles * 2 * 4);
    const unrelated = new Float32Array(tiles * 2 * 4);
    for (let t = 0; t < tiles; t++) {
      for (let d = 0; d < 4; d++) {
        same[(t * 2) * 4 + d] = same[(t * 2 + 1) * 4 + d] = Math.sin(t * 4 + d);
        unrelated[(t * 2) * 4 + d] = Math.sin(t * 4 + d);
        unrelated[(t * 2 + 1) * 4 + d] = Math.cos(t * 7 + d * 3);
      }
    }
    expect(augmentationInvariance(same, tiles, 2, 4)).toBeCloseTo(1, 6);
    expect(Math.abs(augmentationInvariance(unrelated, tiles, 2, 4))).toBeLessThan(0.5);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });
});

describe('backbone comparison on a proxy task', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-compare-'));
  let store: ProjectStore;
  let informative: StoredBackbone;
  let noise: StoredBackbone;
  let task: StoredTask;

  beforeAll(async () => {
    store = ProjectStore.create(path.join(dir, 'p.histo'));
    const root = await writeNoisyPatchDataset(dir, { a: [200, 110, 160], b: [150, 70, 170], c: [220, 160, 150] }, 15);
    task = (await importPatchFolder(store, root, 'proxy')).task;
    informative = await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 16, seed: 21, dir }), { name: 'informative' });
    noise = await importBackbone(store, centrePixelModel({ inputSize: 32, dim: 16, dir }), { name: 'noise' });
  }, 120_000);
  afterAll(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ranks the informative backbone first, separably, with better diagnostics, and stores the run', async () => {
    const result = await compareBackbones(store, { task, backbones: [noise, informative], head: 'logreg', folds: 5, seed: 0, downstream: [], measureSpeed: false, bootstrap: 300 });
    expect(result.ranking.map((r) => r.backbone)).toEqual(['informative', 'noise']);
    const [best, worst] = result.ranking as [(typeof result.ranking)[0], (typeof result.ranking)[0]];
    expect(best.f1Macro).toBeGreaterThan(0.9);
    expect(worst.f1Macro).toBeLessThan(0.75);
    expect(best.ci95[0]).toBeGreaterThan(worst.ci95[1]);
    expect(result.notSeparable).toEqual([]);
    expect(worst.rankMe!).toBeLessThan(best.rankMe!);
    expect(worst.augInvariance!).toBeLessThan(best.augInvariance!);
    expect(best).toMatchObject({ dim: 16, knnAccuracy: expect.any(Number), storageMBPer10kTiles: expect.closeTo((16 * 4 * 10000) / 2 ** 20, 6) });
    const stored = store.db.prepare('SELECT count(*) AS n FROM comparisons').get() as { n: number };
    expect(stored.n).toBe(1);
    // Both backbones were embedded on the proxy's tiles by the comparison itself.
    expect(store.db.prepare('SELECT backbone_id, count(*) AS n FROM embeddings GROUP BY backbone_id ORDER BY backbone_id').all()).toEqual([
      { backbone_id: informative.id, n: 45 },
      { backbone_id: noise.id, n: 45 },
    ]);
  });

  it('flags backbones it cannot tell apart instead of crowning one, and checks transfer to another task', async () => {
    const twin = await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 16, seed: 22, dir, fileName: 'twin.onnx' }), { name: 'twin' });
    const root2 = await writeNoisyPatchDataset(dir, { x: [210, 120, 150], y: [140, 80, 180] }, 12, 5);
    fs.renameSync(root2, path.join(dir, 'second'));
    await importPatchFolder(store, path.join(dir, 'second'), 'downstream');
    const result = await compareBackbones(store, { task, backbones: [informative, twin, noise], head: 'logreg', folds: 5, seed: 1, downstream: ['downstream'], measureSpeed: false, bootstrap: 300 });
    const names = result.notSeparable.map((pair) => [...pair].sort().join('+'));
    expect(names).toContain('informative+twin');
    expect(names.some((n) => n.includes('noise'))).toBe(false);
    expect(result.transfer).toHaveLength(1);
    expect(result.transfer[0]!.spearman).toBeGreaterThan(0);
  });
});

describe('comparison units: slides and patch sets apart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-compare-units-'));
  let store: ProjectStore;
  let backbones: StoredBackbone[];
  let task: StoredTask;
  let patchSetId: number;

  beforeAll(async () => {
    store = ProjectStore.create(path.join(dir, 'p.histo'));
    // Patch images named by their case: 8 cases, 3 images of each class per case.
    const root = await writeNoisyPatchDataset(dir, { a: [200, 110, 160], b: [150, 70, 170] }, 24);
    for (const className of ['a', 'b']) {
      for (const file of fs.readdirSync(path.join(root, className))) {
        fs.renameSync(path.join(root, className, file), path.join(root, className, `case${Number.parseInt(file, 10) % 8}_${file}`));
      }
    }
    task = (await importPatchFolder(store, root, 'mixed')).task;
    patchSetId = (store.db.prepare('SELECT id FROM patch_sets').get() as { id: number }).id;
    // And 16 labelled tiles on each of two slides.
    const rows = ['source,x,y,label'];
    for (const slide of [await writeTwoRegionSlide(path.join(dir, 'two.tif')), await writeThreeRegionSlide(path.join(dir, 'three.tif'))]) {
      const registered = await registerSource(store, { kind: 'slide', path: slide }, { tileSize: 32, mpp: 0.5, minTissue: 0 });
      await registered.source.close();
      rows.push(...[0, 32, 64, 96].flatMap((x) => [0, 32].map((y) => `${slide},${x},${y},a`)), ...[352, 384, 416, 448].flatMap((x) => [0, 32].map((y) => `${slide},${x},${y},b`)));
    }
    fs.writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n'));
    importLabels(store, task, path.join(dir, 'labels.csv'));
    backbones = [
      await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 16, seed: 21, dir }), { name: 'informative' }),
      await importBackbone(store, centrePixelModel({ inputSize: 32, dim: 16, dir }), { name: 'noise' }),
    ];
  }, 120_000);
  afterAll(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records slides and the patch set apart, with the cases found in the names, and leaves an excluded patch set out', async () => {
    const request = { task, backbones, head: 'logreg' as const, folds: 4, seed: 0, downstream: [], measureSpeed: false, bootstrap: 200 };
    const both = await compareBackbones(store, request);
    expect(both.units).toEqual({
      slides: { count: 2, tiles: 32 },
      slideUnit: 'tile',
      patchSets: [{ id: patchSetId, name: 'noisy-patches', images: 48, units: 8, rule: 'name-prefix', included: true }],
    });
    expect(comparisonUnitsText(both.units)).toBe('Bootstrap over 32 tiles of 2 slides and 48 patch images in 8 cases (1 patch set)');

    const slidesOnly = await compareBackbones(store, { ...request, excludePatchSets: [patchSetId] });
    expect(slidesOnly.units.patchSets[0]!.included).toBe(false);
    expect(comparisonUnitsText(slidesOnly.units)).toBe('Bootstrap over 32 tiles of 2 slides');
    // The comparison's request is stored with the exclusion, so the run can be repeated.
    const stored = store.db.prepare('SELECT request_json AS request FROM comparisons ORDER BY id DESC LIMIT 1').get() as { request: string };
    expect(JSON.parse(stored.request)).toMatchObject({ excludePatchSets: [patchSetId] });
    // Every patch excluded and no slide: said plainly, nothing stored.
    await expect(compareBackbones(store, { ...request, task: importPatchOnlyTask(), excludePatchSets: [patchSetId] })).rejects.toThrow(/every labelled tile is in an excluded patch set/);
  }, 120_000);

  /** A task labelled only on the patch set's images. */
  function importPatchOnlyTask(): StoredTask {
    const patchOnly = new TasksRepo(store.db).create('patch-only', ['a', 'b']);
    const labels = store.db.prepare("SELECT l.tile_id AS tileId, l.class_name AS className FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE s.patch_set_id IS NOT NULL AND l.task_id = ?").all(task.id) as Array<{ tileId: number; className: string }>;
    store.db.transaction(() => new LabelsRepo(store.db).upsertMany(patchOnly.id, labels, 'import', null))();
    return patchOnly;
  }
});
