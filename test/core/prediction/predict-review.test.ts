import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { TasksRepo, type StoredTask } from '../../../src-main/core/project/repos/tasks-repo';
import { importLabels } from '../../../src-main/core/labels/import-labels';
import { trainTask } from '../../../src-main/core/training/train-task';
import { loadTaskDataset } from '../../../src-main/core/training/load-task-dataset';
import { predictSlides } from '../../../src-main/core/prediction/predict-slides';
import { loadSlidePredictions } from '../../../src-main/core/prediction/slide-predictions';
import { predictionGeoJson, writePredictionCsv, writePredictionGeoJson } from '../../../src-main/core/prediction/export-predictions';
import { writeSlideReport } from '../../../src-main/core/prediction/slide-report';
import { decideReview, reviewProgress, reviewQueue } from '../../../src-main/core/prediction/review';
import { renderHeatmap } from '../../../src-main/core/prediction/heatmap';
import type { StoredBackbone } from '../../../src-main/core/project/repos/backbones-repo';
import { LabelsRepo } from '../../../src-main/core/project/repos/labels-repo';
import { linearEmbedder } from '../../helpers/onnx-models';
import { trainHeadOnLabelledSlide } from '../../helpers/labelled-head';
import { writeTwoRegionSlide } from '../../helpers/embedding-fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-predict-'));
let store: ProjectStore;
let backbone: StoredBackbone;
let task: StoredTask;
let slide: string;
let headId: number;

beforeAll(async () => {
  store = ProjectStore.create(path.join(dir, 'p.histo'));
  slide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
  backbone = await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), { name: 'lin' });
  task = new TasksRepo(store.db).create('tumour', ['stroma', 'tumour']);
  const rows = ['source,x,y,label', ...[0, 32, 64, 96].map((x) => `${slide},${x},0,tumour`), ...[352, 384, 416, 448].map((x) => `${slide},${x},0,stroma`), ...[0, 64].map((x) => `${slide},${x},128,tumour`), ...[384, 448].map((x) => `${slide},${x},128,stroma`)];
  headId = await trainHeadOnLabelledSlide(store, dir, slide, backbone, task, rows);
}, 120_000);
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('prediction', () => {
  it('predicts every tile of the slide and summarises it', async () => {
    const run = await predictSlides(store, headId, [slide], { threshold: 0.5 });
    expect(run.failed).toEqual([]);
    expect(run.head).toMatchObject({ positive: 'tumour', threshold: 0.5, classes: ['stroma', 'tumour'] });
    const [summary] = run.slides;
    expect(summary).toMatchObject({ path: slide, tiles: 16 * 8, positive: 64, fraction: 0.5 });
    expect(summary!.max).toBeGreaterThan(0.9);
    // 32 px tiles at 0.5 µm/px are 16 µm = 0.016 mm on a side.
    expect(summary!.positivesPerMm2).toBeCloseTo(64 / (128 * 0.016 * 0.016), 3);
    const tiles = loadSlidePredictions(store, headId, summary!.slideId);
    expect(tiles.filter((t) => t.x < 256).every((t) => t.probs[1]! > 0.5)).toBe(true);
    expect(tiles.filter((t) => t.x >= 256).every((t) => t.probs[1]! < 0.5)).toBe(true);
  });

  it('exports per-tile CSV, QuPath GeoJSON that the label importer reads back, and an HTML report', async () => {
    const run = await predictSlides(store, headId, [slide], { threshold: 0.5 });
    const tiles = loadSlidePredictions(store, headId, run.slides[0]!.slideId);
    const csv = fs.readFileSync(writePredictionCsv(path.join(dir, 'p.csv'), run.head.classes, [{ path: slide, tiles }]), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('source,x,y,width,height,predicted,p_stroma,p_tumour');
    expect(csv).toHaveLength(129);
    expect(csv[1]).toMatch(new RegExp(`^${slide.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')},0,0,32,32,tumour,0\\.\\d+,0\\.\\d+$`));

    const geo = predictionGeoJson(run.head.classes, [{ path: slide, tiles }], false) as { type: string; features: Array<Record<string, any>> };
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.features).toHaveLength(128);
    for (const f of geo.features) {
      expect(f.geometry.type).toBe('Polygon');
      expect(f.geometry.coordinates[0]).toHaveLength(5);
      expect(f.properties.classification).toMatchObject({ name: expect.stringMatching(/^(stroma|tumour)$/), color: expect.any(Array) });
      expect(Object.keys(f.properties.measurements)).toEqual(['p_stroma', 'p_tumour']);
    }
    const merged = predictionGeoJson(run.head.classes, [{ path: slide, tiles }], true) as { features: Array<Record<string, any>> };
    expect(merged.features.map((f) => f.geometry.type)).toEqual(['MultiPolygon', 'MultiPolygon']);
    // Each of the 8 rows is one run per class: 8 rectangles of 256 x 32 each.
    expect(merged.features[0]!.geometry.coordinates).toHaveLength(8);

    const roundTrip = new TasksRepo(store.db).create('round-trip', ['stroma', 'tumour']);
    for (const [file, expected] of [
      [writePredictionGeoJson(path.join(dir, 'tiles.geojson'), run.head.classes, [{ path: slide, tiles }], false), 128],
      [writePredictionGeoJson(path.join(dir, 'merged.geojson'), run.head.classes, [{ path: slide, tiles }], true), 128],
    ] as const) {
      store.db.prepare('DELETE FROM labels WHERE task_id = ?').run(roundTrip.id);
      const imported = importLabels(store, roundTrip, file, { slide });
      expect(imported.labels).toBe(expected);
      expect(imported.perClass).toEqual({ tumour: 64, stroma: 64 });
    }

    const report = await writeSlideReport(path.join(dir, 'reports'), {
      head: run.head,
      focus: 1,
      threshold: 0.5,
      detection: false,
      slide: { ...run.slides[0]!, perClass: { stroma: 64, tumour: 64 } },
      tiles,
      tilings: [{ tileSize: 32, mpp: 0.5, level: null, tiles: 128 }],
      review: { accepted: 2, rejected: 1, relabelled: 0, reviewers: ['dr a', 'dr b'], lastDecisionAt: '2026-03-01T09:30:00.000Z' },
      generatedAt: new Date('2026-07-01T12:00:00Z'),
      timeZone: 'Europe/Berlin',
    });
    const html = fs.readFileSync(report, 'utf8');
    expect(html).toContain(backbone.sha256);
    expect(html).toContain('data:image/png;base64,');
    expect(html).toMatch(/Tiles with p\(tumour\) ≥ 0\.500<\/th><td>64 tumour \(50\.0%\)/);
    // Scale bar: the slide is 512 px at 0.5 µm/px = 256 µm wide, so a 50 µm bar spans 19.53% of it.
    expect(html).toContain('<div class="scalebar" data-micrometres="50"><span style="width:19.53%"></span>50 µm</div>');
    expect(html).toContain('32 × 32 px at 0.5 µm/px (16 µm on a side), 128 tiles');
    // Every class with its colour, the review and its reviewers, and local times with their zone.
    expect(html).toMatch(/<span class="swatch" style="background:#e69f00"><\/span>stroma<\/th><td>64 \(50\.0%\)/);
    expect(html).toContain('<th>Reviewers</th><td>dr a, dr b</td>');
    expect(html).toContain('<th>Tiles reviewed</th><td>3 of 128 (2.3%)</td>');
    expect(html).toContain('1 July 2026 at 14:00 (Europe/Berlin, UTC+02:00)');
    expect(html).toContain('1 March 2026 at 10:30 (Europe/Berlin, UTC+01:00)');
    // A tissue-typing task shows no density.
    expect(html).not.toContain('per mm²');
  });

  it('renders a heatmap aligned with the slide', () => {
    const map = renderHeatmap([{ x: 0, y: 0, width: 256, height: 256, score: 1 }, { x: 256, y: 0, width: 256, height: 256, score: 0 }], 512, 256, 128);
    expect([map.width, map.height, map.downsample]).toEqual([128, 64, 4]);
    const at = (x: number, y: number) => Array.from(map.data.subarray((y * 128 + x) * 4, (y * 128 + x) * 4 + 4));
    expect(at(10, 10)).toEqual([252, 255, 164, 255]);
    expect(at(100, 10)[3]).toBe(0); // low scores leave the tissue visible
  });
});

describe('review', () => {
  it('turns decisions into labels that change the next training run', async () => {
    await predictSlides(store, headId, [slide], { threshold: 0.5 });
    const before = loadTaskDataset(store, task, backbone).dataset.n;
    const top = reviewQueue(store, headId, { mode: 'top', limit: 5 });
    expect(top).toHaveLength(5);
    expect(top[0]!.score).toBeGreaterThanOrEqual(top[4]!.score);
    const unlabelled = top.filter((t) => t.label === null);
    expect(unlabelled.length).toBeGreaterThan(0);
    expect(decideReview(store, headId, unlabelled[0]!.tileId, 'accept', null, 'dr. a')).toMatchObject({ label: 'tumour' });
    const uncertain = reviewQueue(store, headId, { mode: 'uncertain', limit: 3 });
    expect(decideReview(store, headId, uncertain[0]!.tileId, 'relabel', 'stroma', 'dr. a')).toMatchObject({ label: 'stroma' });
    expect(decideReview(store, headId, uncertain[1]!.tileId, 'reject', null, 'dr. a').label).toBe(uncertain[1]!.predicted === 'tumour' ? 'stroma' : 'tumour');
    expect(() => decideReview(store, headId, uncertain[2]!.tileId, 'relabel', 'necrosis', null)).toThrow(/relabel needs one of the classes/);

    const labels = new LabelsRepo(store.db).all(task.id).filter((l) => l.source === 'review');
    expect(labels).toHaveLength(3);
    expect(labels.every((l) => l.author === 'dr. a')).toBe(true);
    const after = loadTaskDataset(store, task, backbone).dataset.n;
    expect(after).toBeGreaterThan(before);
    const retrained = trainTask(store, { task, backbone, kind: 'logreg', folds: 2, groupBy: 'none', augment: 'none', search: false, seed: 0 });
    expect(retrained.data.tiles).toBe(after);
    expect(reviewQueue(store, headId, { mode: 'top', limit: 1000 }).some((t) => t.tileId === unlabelled[0]!.tileId)).toBe(false);
    const progress = reviewProgress(store, headId);
    expect(progress[0]).toMatchObject({ predicted: 128, reviewed: 3, accepted: 1, relabelled: 1, rejected: 1 });
  });
});
