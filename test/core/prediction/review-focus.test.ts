import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { registerSource } from '../../../src-main/core/extraction/extraction-plan';
import { type StoredTask } from '../../../src-main/core/project/repos/tasks-repo';
import { createTask } from '../../../src-main/core/labels/create-task';
import { importLabels } from '../../../src-main/core/labels/import-labels';
import { embedTiles } from '../../../src-main/core/extraction/embed-tiles';
import { trainTask } from '../../../src-main/core/training/train-task';
import { predictSlides } from '../../../src-main/core/prediction/predict-slides';
import { predictedSlides } from '../../../src-main/core/prediction/stored-predictions';
import { exportPredictionFiles } from '../../../src-main/core/prediction/export-prediction-files';
import { decideReview, reviewQueue, undoReview } from '../../../src-main/core/prediction/review';
import { TaskDetectionRepo } from '../../../src-main/core/project/repos/task-detection-repo';
import { LabelsRepo } from '../../../src-main/core/project/repos/labels-repo';
import { linearEmbedder } from '../../helpers/onnx-models';
import { writeThreeRegionSlide } from '../../helpers/embedding-fixtures';

/**
 * Multi-class review on a real project: a three-band slide (purple, pink, blue: 48 tiles each),
 * a logistic head over three classes. The class of interest (or all classes) decides the
 * threshold, the summaries and the exports; densities only for detection tasks; a relabel to the
 * predicted class is an accept; a decision can be undone back to the label it replaced.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-focus-'));
let store: ProjectStore;
let task: StoredTask;
let slide: string;
let headId: number;
const classes = ['tumour', 'stroma', 'fat'];

beforeAll(async () => {
  store = ProjectStore.create(path.join(dir, 'p.histo'));
  slide = await writeThreeRegionSlide(path.join(dir, 'three-regions.tif'));
  const backbone = await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), { name: 'lin' });
  const registered = await registerSource(store, { kind: 'slide', path: slide }, { tileSize: 32, mpp: 0.5, minTissue: 0 });
  await registered.source.close();
  task = createTask(store, 'tissue', classes, false);
  const rows = ['source,x,y,label'];
  classes.forEach((name, band) => {
    for (const x of [0, 64, 128]) for (const y of [0, 128]) rows.push(`${slide},${band * 192 + x},${y},${name}`);
  });
  fs.writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n'));
  importLabels(store, task, path.join(dir, 'labels.csv'));
  await embedTiles(store, backbone, registered.tiles.map((t) => t.id));
  headId = trainTask(store, { task, backbone, kind: 'logreg', folds: 2, groupBy: 'none', augment: 'none', search: false, seed: 0 }).headId;
  await predictSlides(store, headId, [slide]);
}, 120_000);
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('class of interest', () => {
  it('starts a three-class head on all classes, never silently on its last class', () => {
    const all = predictedSlides(store, headId);
    expect(all).toMatchObject({ classes, positive: null, focus: null, threshold: 0.5, defaultThreshold: 0.5, detection: false });
    const [summary] = all.slides;
    expect(summary!.perClass).toEqual({ tumour: 48, stroma: 48, fat: 48 });
    // Every tile's top class is confident on these clean bands.
    expect(summary!.positive).toBe(144);
    expect(summary!.positivesPerMm2).toBeNull();
  });

  it('counts, ranks and exports for the chosen class', () => {
    const stroma = predictedSlides(store, headId, undefined, 'stroma');
    expect(stroma).toMatchObject({ focus: 'stroma', threshold: 0.5 });
    expect(stroma.slides[0]).toMatchObject({ tiles: 144, positive: 48 });
    const top = reviewQueue(store, headId, { mode: 'top', limit: 48, focus: 'stroma' });
    expect(top.every((t) => t.predicted === 'stroma' && t.score === t.probs[1])).toBe(true);
    expect(() => predictedSlides(store, headId, undefined, 'mucosa')).toThrow(/'mucosa' is not one of this head's classes: tumour, stroma, fat/);

    return exportPredictionFiles(store, headId, {
      focus: 'fat',
      threshold: 0.5,
      summary: path.join(dir, 'slides.csv'),
      csv: path.join(dir, 'tiles.csv'),
      geojson: path.join(dir, 'fat.geojson'),
    }).then(() => {
      const summaryLines = fs.readFileSync(path.join(dir, 'slides.csv'), 'utf8').trim().split('\n');
      expect(summaryLines[0]).toBe('source,class_of_interest,threshold,tiles,called,fraction,max,mean,mean_top_k,top_tumour,top_stroma,top_fat');
      expect(summaryLines[1]!.split(',').slice(1, 5)).toEqual(['fat', '0.5', '144', '48']);
      const tileLines = fs.readFileSync(path.join(dir, 'tiles.csv'), 'utf8').trim().split('\n');
      expect(tileLines[0]!.endsWith(',called_fat')).toBe(true);
      expect(tileLines.slice(1).filter((l) => l.endsWith(',1'))).toHaveLength(48);
      const geo = JSON.parse(fs.readFileSync(path.join(dir, 'fat.geojson'), 'utf8')) as { features: Array<{ properties: { classification: { name: string } } }> };
      expect(geo.features).toHaveLength(48);
      expect(new Set(geo.features.map((f) => f.properties.classification.name))).toEqual(new Set(['fat']));
    });
  });

  it('shows densities per mm² only for a task that counts objects', () => {
    const detection = new TaskDetectionRepo(store.db);
    detection.setDetection(task.id, true);
    try {
      const stroma = predictedSlides(store, headId, 0.5, 'stroma');
      expect(stroma.detection).toBe(true);
      // 32 px tiles at 0.5 µm/px are 0.016 mm on a side.
      expect(stroma.slides[0]!.positivesPerMm2).toBeCloseTo(48 / (144 * 0.016 * 0.016), 3);
    } finally {
      detection.setDetection(task.id, false);
    }
  });
});

describe('review decisions', () => {
  it('stores a relabel to the predicted class as an accept, and undo restores the label it replaced', () => {
    const labels = new LabelsRepo(store.db);
    const labelOf = (tileId: number) => labels.all(task.id).find((l) => l.tileId === tileId) ?? null;
    const [imported, unlabelled] = [
      reviewQueue(store, headId, { mode: 'top', limit: 500, includeDecided: true, focus: 'tumour' }).find((t) => t.label === 'tumour')!,
      reviewQueue(store, headId, { mode: 'top', limit: 500, focus: 'tumour' }).find((t) => t.label === null)!,
    ];
    expect(imported.predicted).toBe('tumour');

    expect(decideReview(store, headId, unlabelled.tileId, 'relabel', 'tumour', 'dr a')).toEqual({ tileId: unlabelled.tileId, decision: 'accept', label: 'tumour' });
    expect(labelOf(unlabelled.tileId)).toMatchObject({ className: 'tumour', source: 'review', author: 'dr a' });
    expect(undoReview(store, headId, unlabelled.tileId)).toEqual({ tileId: unlabelled.tileId, decision: null, label: null });
    expect(labelOf(unlabelled.tileId)).toBeNull();
    expect(reviewQueue(store, headId, { mode: 'top', limit: 500, focus: 'tumour' }).some((t) => t.tileId === unlabelled.tileId)).toBe(true);

    // An imported label overwritten by a relabel comes back, with its source.
    decideReview(store, headId, imported.tileId, 'relabel', 'fat', 'dr b');
    expect(labelOf(imported.tileId)).toMatchObject({ className: 'fat', source: 'review' });
    expect(undoReview(store, headId, imported.tileId)).toMatchObject({ decision: null, label: 'tumour' });
    expect(labelOf(imported.tileId)).toMatchObject({ className: 'tumour', source: 'import' });
    expect(() => undoReview(store, headId, imported.tileId)).toThrow(/no review decision for head/);
  });

  it('writes a report for all classes with the review, its reviewer and the tiling', async () => {
    const tile = reviewQueue(store, headId, { mode: 'top', limit: 1, focus: 'stroma' })[0]!;
    decideReview(store, headId, tile.tileId, 'accept', null, 'dr c');
    const [file] = await exportPredictionFiles(store, headId, { focus: null, report: path.join(dir, 'report') });
    const html = fs.readFileSync(file!, 'utf8');
    expect(html).toContain('<th>Class of interest</th><td>All classes');
    expect(html).toMatch(/Tiles with confidence \(top class\) ≥ 0\.500<\/th><td>144 confident/);
    for (const name of classes) expect(html).toMatch(new RegExp(`</span>${name}</th><td>48 \\(33\\.3%\\)`));
    expect(html).toContain('<th>Reviewers</th><td>dr c</td>');
    expect(html).toContain('<th>Accepted</th><td>1</td>');
    expect(html).toContain('32 × 32 px at 0.5 µm/px (16 µm on a side), 144 tiles');
    expect(html).toMatch(/<div class="scalebar" data-micrometres="50">/);
  });
});
