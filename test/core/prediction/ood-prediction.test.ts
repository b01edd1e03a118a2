import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { TasksRepo } from '../../../src-main/core/project/repos/tasks-repo';
import { predictSlides } from '../../../src-main/core/prediction/predict-slides';
import { reviewQueue } from '../../../src-main/core/prediction/review';
import { OodRepo } from '../../../src-main/core/project/repos/ood-repo';
import { EmbeddingsRepo } from '../../../src-main/core/project/repos/embeddings-repo';
import { mapColors } from '../../../src-main/core/map/map-colors';
import { exportPredictionFiles } from '../../../src-main/core/prediction/export-prediction-files';
import { OOD_FLAG_PERCENTILE } from '../../../src-main/core/heads/ood-reference';
import { linearEmbedder } from '../../helpers/onnx-models';
import { trainHeadOnLabelledSlide } from '../../helpers/labelled-head';
import { writeTwoRegionSlide } from '../../helpers/embedding-fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-ood-'));
let store: ProjectStore;
let slide: string;
let foreign: string;
let headId: number;

/** Tissue the head never saw: a noisy green field at the same size and resolution. */
async function writeForeignSlide(file: string): Promise<string> {
  const width = 256;
  const height = 128;
  const data = Buffer.alloc(width * height * 3);
  let s = 7;
  const noise = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % 41) - 20;
  for (let i = 0; i < width * height; i++) [40, 200, 60].forEach((c, j) => (data[i * 3 + j] = Math.max(0, Math.min(255, c + noise()))));
  await sharp(data, { raw: { width, height, channels: 3 } }).tiff({ tile: true, tileWidth: 128, tileHeight: 128, xres: 2000, yres: 2000 }).toFile(file);
  return file;
}

beforeAll(async () => {
  store = ProjectStore.create(path.join(dir, 'p.histo'));
  slide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
  foreign = await writeForeignSlide(path.join(dir, 'green.tif'));
  const backbone = await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), { name: 'lin' });
  const task = new TasksRepo(store.db).create('tumour', ['stroma', 'tumour']);
  // Labels on rows 0 and 4 of both regions: 32 tiles of 128.
  const rows = ['source,x,y,label'];
  for (const y of [0, 128]) for (let x = 0; x < 512; x += 32) rows.push(`${slide},${x},${y},${x < 256 ? 'tumour' : 'stroma'}`);
  headId = await trainHeadOnLabelledSlide(store, dir, slide, backbone, task, rows);
}, 120_000);
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('out-of-distribution scores of predictions', () => {
  it('stores a reference with the head, scores every predicted tile, and flags tissue the head never saw', async () => {
    const reference = new OodRepo(store.db).reference(headId);
    expect(reference).toMatchObject({ dim: 16, count: 32 });

    const run = await predictSlides(store, headId, [slide, foreign], { threshold: 0.5 });
    expect(run.failed).toEqual([]);
    const [home, away] = run.slides;
    expect(home!.ood).toMatchObject({ flagPercentile: OOD_FLAG_PERCENTILE });
    expect(home!.ood!.median).toBeLessThan(90);
    expect(home!.ood!.flagged).toBeLessThan(home!.tiles / 4);
    // Every tile of the green slide is farther from the training tiles than any of them from the others.
    expect(away!.ood).toMatchObject({ median: 100, flagged: away!.tiles });

    const scores = new OodRepo(store.db).allScores(headId);
    expect(scores.size).toBe(home!.tiles + away!.tiles);
    const queue = reviewQueue(store, headId, { mode: 'top', slideId: away!.slideId, limit: 5 });
    expect(queue.every((item) => item.ood === 100)).toBe(true);

    // The study map coloured by the same scores: percentile / 100, grey (-1) for tiles never predicted.
    const tileIds = Int32Array.from([...scores.keys(), 999_999]);
    const colors = mapColors(store, tileIds, { by: 'ood', head: headId });
    expect(colors.kind).toBe('scalar');
    expect(colors.values.slice(0, -1)).toEqual([...scores.values()].map((p) => p / 100));
    expect(colors.values.at(-1)).toBe(-1);
    expect(() => mapColors(store, tileIds, { by: 'ood', head: 12345 })).toThrow(/no head 12345/);

    // The HTML report of the green slide says so in its summary.
    const [report] = await exportPredictionFiles(store, headId, { report: path.join(dir, 'reports'), slideIds: [away!.slideId] });
    const html = fs.readFileSync(report!, 'utf8');
    expect(html).toContain(`WARNING: ${away!.tiles} of ${away!.tiles} tiles (100.0%) out of distribution (percentile ≥ ${OOD_FLAG_PERCENTILE})`);
  });

  it('reads each slide\'s stored vectors once for both the probabilities and the OOD scores', async () => {
    const scans = vi.spyOn(EmbeddingsRepo.prototype, 'scanTiles');
    const matrices = vi.spyOn(EmbeddingsRepo.prototype, 'loadMatrix');
    try {
      const run = await predictSlides(store, headId, [slide, foreign], { threshold: 0.5 });
      expect(run.slides.map((s) => s.ood?.median)).toEqual([expect.any(Number), expect.any(Number)]);
      expect(scans).toHaveBeenCalledTimes(2);
      expect(matrices).not.toHaveBeenCalled();
    } finally {
      scans.mockRestore();
      matrices.mockRestore();
    }
  });

  it('heads trained before references existed predict as before, without scores', async () => {
    store.db.prepare('DELETE FROM head_ood_references WHERE head_id = ?').run(headId);
    store.db.prepare('DELETE FROM prediction_ood WHERE head_id = ?').run(headId);
    const run = await predictSlides(store, headId, [slide], { threshold: 0.5 });
    expect(run.slides[0]!.ood).toBeNull();
    expect(new OodRepo(store.db).allScores(headId).size).toBe(0);
    expect(reviewQueue(store, headId, { mode: 'top', limit: 3 }).map((i) => i.ood)).toEqual([null, null, null]);
  });

});
