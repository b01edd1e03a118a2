import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { registerSource } from '../../../src-main/core/extraction/extraction-plan';
import { TasksRepo } from '../../../src-main/core/project/repos/tasks-repo';
import { LabelsRepo } from '../../../src-main/core/project/repos/labels-repo';
import { importLabels } from '../../../src-main/core/labels/import-labels';
import { exportLabels } from '../../../src-main/core/labels/export-labels';
import { importPatchFolder } from '../../../src-main/core/labels/import-patch-folder';
import { writePatchDataset, writeTestSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

async function setup() {
  const dir = tempDir();
  const slide = await writeTestSlide(dir); // 512 x 384
  const store = ProjectStore.create(path.join(dir, 'p.histo'));
  const registered = await registerSource(store, { kind: 'slide', path: slide }, { tileSize: 64, level: 0, minTissue: 0 });
  await registered.source.close();
  const task = new TasksRepo(store.db).create('tumour', ['tumour', 'stroma', 'other']);
  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const count = () => (store.db.prepare('SELECT count(*) AS n FROM labels').get() as { n: number }).n;
  return { dir, slide, store, task, write, count };
}

describe('label import', () => {
  it('imports CSV tile labels by top-left corner or by a point inside the tile', async () => {
    const { slide, store, task, write } = await setup();
    try {
      const file = write('labels.csv', `source,x,y,label\n${slide},0,0,tumour\n"${slide}",64,0,stroma\n${path.basename(slide)},200,130,other\n`);
      const result = importLabels(store, task, file);
      expect(result).toMatchObject({ labels: 3, perClass: { tumour: 1, stroma: 1, other: 1 } });
      const rows = new LabelsRepo(store.db).all(task.id).map((l) => [l.x, l.y, l.className, l.source]);
      expect(rows).toEqual([
        [0, 0, 'tumour', 'import'],
        [64, 0, 'stroma', 'import'],
        [192, 128, 'other', 'import'],
      ]);
      expect(new LabelsRepo(store.db).counts(task.id).perSlide[0]!.counts).toEqual({ tumour: 1, stroma: 1, other: 1 });
    } finally {
      store.close();
    }
  });

  it.each([
    ['a missing column', (s: string) => `source,x,y\n${s},0,0\n`, /line 1: missing column label/],
    ['an unknown class', (s: string) => `source,x,y,label\n${s},0,0,tumour\n${s},64,0,necrosis\n`, /line 3: unknown class 'necrosis'/],
    ['non-numeric coordinates', (s: string) => `source,x,y,label\n${s},0,0,tumour\n${s},abc,0,stroma\n`, /line 3: x and y must be numbers/],
    ['a point outside the slide', (s: string) => `source,x,y,label\n${s},0,0,tumour\n${s},9000,0,stroma\n`, /line 3: \(9000, 0\) lies outside slide\.tif \(512 x 384 px\)/],
    ['an unknown slide', () => `source,x,y,label\nnowhere.svs,0,0,tumour\n`, /line 2: no slide or image 'nowhere\.svs'/],
    ['a ragged row', (s: string) => `source,x,y,label\n${s},0,0\n`, /line 2: 3 fields, but the header has 4/],
    ['an unclosed quote', (s: string) => `source,x,y,label\n"${s},0,0,tumour\n`, /line 2: a quoted field is never closed/],
  ])('refuses a CSV with %s, naming the line, and imports nothing', async (_label, content, message) => {
    const { slide, store, task, write, count } = await setup();
    try {
      const file = write('bad.csv', content(slide));
      expect(() => importLabels(store, task, file)).toThrow(message);
      expect(() => importLabels(store, task, file)).toThrow(file);
      expect(count()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('labels the tiles whose centre lies inside QuPath polygons (with holes and multipolygons)', async () => {
    const { slide, store, task, write } = await setup();
    try {
      const square = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
      const geojson = {
        type: 'FeatureCollection',
        features: [
          // 0..200 x 0..130 holds centres (32|96|160, 32|96): 6 tiles, minus the hole around (96, 32).
          { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(0, 0, 200, 130), square(80, 20, 110, 50)] }, properties: { classification: { name: 'tumour', color: [200, 0, 0] } } },
          { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[square(440, 300, 512, 384)], [square(340, 340, 370, 370)]] }, properties: { classification: { name: 'stroma' } } },
        ],
      };
      const result = importLabels(store, task, write('a.geojson', JSON.stringify(geojson)), { slide });
      expect(result.perClass).toEqual({ tumour: 5, stroma: 2 });
      const tumour = new LabelsRepo(store.db).all(task.id).filter((l) => l.className === 'tumour').map((l) => `${l.x},${l.y}`);
      expect(tumour.sort()).toEqual(['0,0', '0,64', '128,0', '128,64', '64,64']);
    } finally {
      store.close();
    }
  });

  it.each([
    ['a wrong geometry type', { type: 'Feature', geometry: { type: 'LineString', coordinates: [[0, 0], [10, 10]] }, properties: { classification: { name: 'tumour' } } }, /feature 2: geometry type LineString is not supported/],
    ['non-numeric coordinates', { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], ['a', 0], [10, 10], [0, 0]]] }, properties: { classification: { name: 'tumour' } } }, /feature 2: position 2 is not a pair of numbers/],
    ['a polygon outside the slide', { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[900, 900], [990, 900], [990, 990], [900, 900]]] }, properties: { classification: { name: 'tumour' } } }, /feature 2: the polygon lies outside the slide/],
    ['an unknown class', { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [100, 0], [100, 100], [0, 0]]] }, properties: { classification: { name: 'Necrosis' } } }, /feature 2: unknown class 'Necrosis'/],
    ['no classification', { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [100, 0], [100, 100], [0, 0]]] }, properties: {} }, /feature 2: has no classification name/],
  ])('refuses GeoJSON with %s, naming the feature, and imports nothing', async (_label, badFeature, message) => {
    const { slide, store, task, write, count } = await setup();
    try {
      const good = { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]] }, properties: { classification: { name: 'tumour' } } };
      const file = write('bad.geojson', JSON.stringify({ type: 'FeatureCollection', features: [good, badFeature] }));
      expect(() => importLabels(store, task, file, { slide })).toThrow(message);
      expect(count()).toBe(0);
      expect(() => importLabels(store, task, write('x.geojson', '{"type": "Feature"'), { slide })).toThrow(/not valid JSON/);
    } finally {
      store.close();
    }
  });

  it('exports labels as CSV and GeoJSON that import back to the same labels', async () => {
    const { dir, slide, store, task, write } = await setup();
    try {
      importLabels(store, task, write('l.csv', `source,x,y,label\n${slide},0,0,tumour\n${slide},64,64,stroma\n${slide},448,320,other\n`), { author: 'dr. who' });
      const before = new LabelsRepo(store.db).all(task.id).map((l) => [l.tileId, l.className]);
      const csv = exportLabels(store, task, path.join(dir, 'out.csv'));
      const geo = exportLabels(store, task, path.join(dir, 'out.geojson'));
      expect(csv.labels).toBe(3);
      const parsed = JSON.parse(fs.readFileSync(geo.file, 'utf8'));
      expect(parsed.type).toBe('FeatureCollection');
      expect(parsed.features[0].geometry).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [64, 0], [64, 64], [0, 64], [0, 0]]] });
      expect(parsed.features[0].properties.classification).toMatchObject({ name: 'tumour', color: expect.any(Array) });
      for (const file of [csv.file, geo.file]) {
        store.db.exec('DELETE FROM labels');
        importLabels(store, task, file, { slide });
        expect(new LabelsRepo(store.db).all(task.id).map((l) => [l.tileId, l.className])).toEqual(before);
      }
    } finally {
      store.close();
    }
  });

  it('imports an ImageFolder patch dataset, creating the task from the folder names', async () => {
    const { dir, store } = await setup();
    try {
      const root = await writePatchDataset(dir, { adipose: [250, 240, 240], lymphocytes: [60, 40, 140], mucosa: [200, 120, 170] }, 4);
      const result = await importPatchFolder(store, root, 'tissue-type');
      expect(result).toMatchObject({ images: 12, perClass: { adipose: 4, lymphocytes: 4, mucosa: 4 }, failed: [] });
      expect(result.task.classes).toEqual(['adipose', 'lymphocytes', 'mucosa']);
      const again = await importPatchFolder(store, root, 'tissue-type');
      expect(again.images).toBe(12);
      expect((store.db.prepare("SELECT count(*) AS n FROM slides WHERE kind = 'image'").get() as { n: number }).n).toBe(12);
      const csvRoundTrip = exportLabels(store, result.task, path.join(dir, 'patches.csv'));
      expect(fs.readFileSync(csvRoundTrip.file, 'utf8').split('\n')[1]).toMatch(/adipose\/0\.png,0,0,adipose,import,$/);
    } finally {
      store.close();
    }
  });
});
