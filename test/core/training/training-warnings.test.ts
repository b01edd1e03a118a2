import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { callCore } from '../../../src-main/cli/call-core';
import { registerSource } from '../../../src-main/core/extraction/extraction-plan';
import { HistoCore } from '../../../src-main/core/histo-core';
import { importLabels } from '../../../src-main/core/labels/import-labels';
import { importPatchFolder } from '../../../src-main/core/labels/import-patch-folder';
import { TasksRepo } from '../../../src-main/core/project/repos/tasks-repo';
import { trainingWarnings } from '../../../src-main/core/training/training-warnings';
import { writePatchDataset, writeTwoRegionSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

describe('warnings before training', () => {
  it('says nothing for tiles cut at one resolution, and treats scanner rounding as the same scale', () => {
    expect(trainingWarnings([])).toEqual([]);
    expect(trainingWarnings([{ kind: 'slide', mpp: 0.2498, tileSize: 224, patchSet: null, tiles: 10 }, { kind: 'slide', mpp: 0.2527, tileSize: 224, patchSet: null, tiles: 5 }])).toEqual([]);
  });

  it('warns about patches without a resolution and about resolutions that differ, naming the counts', () => {
    const warnings = trainingWarnings([
      { kind: 'image', mpp: null, tileSize: 224, patchSet: 'kather', tiles: 700 },
      { kind: 'slide', mpp: 0.5, tileSize: 224, patchSet: null, tiles: 120 },
      { kind: 'slide', mpp: 1, tileSize: 224, patchSet: null, tiles: 40 },
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^700 tiles of this task come from images without a resolution \(patch set kather\)/);
    expect(warnings[1]).toContain('different resolutions: 0.5 µm/px (120 tiles), 1 µm/px (40 tiles)');
  });

  it('checks a task of the project: patches without mpp beside slide tiles, then mixed scales once the patches have one', async () => {
    const dir = tempDir();
    const core = new HistoCore();
    try {
      await callCore(core, 'project.create', { path: path.join(dir, 'p.histo') });
      const store = core.requireProject();
      const slide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
      const registered = await registerSource(store, { kind: 'slide', path: slide }, { tileSize: 32, mpp: 0.5, minTissue: 0 });
      await registered.source.close();
      const task = new TasksRepo(store.db).create('tissue', ['adipose', 'mucosa']);
      fs.writeFileSync(path.join(dir, 'labels.csv'), ['source,x,y,label', `${slide},0,0,mucosa`, `${slide},384,0,adipose`].join('\n'));
      importLabels(store, task, path.join(dir, 'labels.csv'));
      expect(await callCore(core, 'train.preflight', { task: 'tissue' })).toMatchObject({ warnings: [], resolutions: [{ kind: 'slide', mpp: 0.5, tiles: 2 }] });

      const root = await writePatchDataset(dir, { adipose: [250, 240, 240], mucosa: [200, 120, 170] }, 3);
      await importPatchFolder(store, root, 'tissue');
      const before = await callCore(core, 'train.preflight', { task: 'tissue' });
      expect(before.warnings).toEqual([expect.stringMatching(/^6 tiles of this task come from images without a resolution \(patch set patches\)/)]);

      const [patchSet] = await callCore(core, 'patchSet.list', {});
      await callCore(core, 'patchSet.setMpp', { patchSetId: patchSet!.id, mpp: 2 });
      const after = await callCore(core, 'train.preflight', { task: 'tissue' });
      expect(after.warnings).toEqual([expect.stringContaining('different resolutions: 0.5 µm/px (2 tiles), 2 µm/px (6 tiles)')]);
      await expect(callCore(core, 'train.preflight', { task: 'nope' })).rejects.toThrow(/nope/);
    } finally {
      core.closeProject();
    }
  });
});
