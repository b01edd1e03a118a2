import { describe, expect, it } from 'vitest';
import { callCore } from '../../../src-main/cli/call-core';
import { HistoCore } from '../../../src-main/core/histo-core';
import { importPatchFolder } from '../../../src-main/core/labels/import-patch-folder';
import { predictionWarnings } from '../../../src-main/core/prediction/prediction-warnings';
import { writePatchDataset } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';
import { trainedProject } from '../slides-library/predicted-project';

const tempDir = useTempDir();
const slideTiles = (mpp: number | null, tileSize: number, tiles: number) => ({ kind: 'slide' as const, mpp, tileSize, patchSet: null, tiles });

describe('warnings before predicting', () => {
  it('says nothing when the prediction cuts tiles as the head learned them, scanner rounding included', () => {
    expect(predictionWarnings([], { tileSize: 224, mpp: 0.5, minTissue: 0.5 }, [])).toEqual([]);
    expect(predictionWarnings([slideTiles(0.2498, 224, 40)], { tileSize: 224, mpp: 0.2527, minTissue: 0.5 }, [{ kind: 'slide', mpp: 0.25 }])).toEqual([]);
  });

  it('warns about another tile size and another resolution than most of the training tiles', () => {
    const warnings = predictionWarnings([slideTiles(1, 256, 90), slideTiles(0.5, 224, 10)], { tileSize: 224, mpp: 0.5, minTissue: 0.5 }, []);
    expect(warnings).toEqual([
      'This head learned on 256 px tiles (90 tiles of 100), but this prediction cuts 224 px tiles: each tile shows a different field of view than in training.',
      'This head learned on tiles at 1 µm/px (90 tiles), but this prediction cuts tiles at 0.5 µm/px: the tissue appears at another magnification than in training.',
    ]);
  });

  it('warns when the training scale is unknown, and about patch images without or at another resolution', () => {
    const unknown = predictionWarnings([{ kind: 'image', mpp: null, tileSize: 224, patchSet: 'kather', tiles: 700 }], { tileSize: 224, mpp: 0.5, minTissue: 0.5 }, []);
    expect(unknown).toEqual([expect.stringMatching(/^The images this head learned on have no resolution, so nobody knows whether 0\.5 µm\/px/)]);
    const images = predictionWarnings([slideTiles(0.5, 224, 10)], { tileSize: 224, mpp: 0.5, minTissue: 0.5 }, [
      { kind: 'image', mpp: null },
      { kind: 'image', mpp: null },
      { kind: 'image', mpp: 2 },
      { kind: 'image', mpp: 0.51 },
      { kind: 'slide', mpp: 2 },
    ]);
    expect(images).toEqual([
      '2 patch images have no resolution: the head may see them at another scale than it learned. Set their µm per pixel in Slides.',
      '1 patch image is at another resolution than the 0.5 µm/px this head learned at.',
    ]);
  });

  it('checks a head of a project through the contract: quiet for its own slide, warning about a patch image without a resolution', async () => {
    const dir = tempDir();
    const { project, slide, headId } = await trainedProject(dir);
    const core = new HistoCore();
    try {
      await callCore(core, 'project.open', { path: project });
      expect(await callCore(core, 'predict.preflight', { head: headId, paths: [slide] })).toEqual({ warnings: [] });

      const root = await writePatchDataset(dir, { stroma: [250, 240, 240], tumour: [120, 60, 150] }, 12);
      await importPatchFolder(core.requireProject(), root, 'tumour');
      const patch = `${root}/stroma/0.png`;
      const { warnings } = await callCore(core, 'predict.preflight', { head: headId, paths: [slide, patch] });
      expect(warnings).toContain('1 patch image has no resolution: the head may see them at another scale than it learned. Set their µm per pixel in Slides.');
      await expect(callCore(core, 'predict.preflight', { head: 999, paths: [] })).rejects.toThrow(/999/);
    } finally {
      core.closeProject();
    }
  });
});
