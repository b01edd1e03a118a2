import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportAnnotations, importAnnotations } from '../../../src-main/core/annotations/annotation-files';
import { ViewerAnnotations } from '../../../src-main/core/annotations/viewer-annotations';
import { registerSource } from '../../../src-main/core/extraction/extraction-plan';
import { LabelsRepo } from '../../../src-main/core/project/repos/labels-repo';
import { TasksRepo } from '../../../src-main/core/project/repos/tasks-repo';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { brushPolygons, rectanglePolygon } from '../../../src-shared/domain/polygon-geometry';
import { writeTestSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

/** A 512 x 384 slide cut in 64-px tiles (8 x 6), a three-class task, and the project's labels as [x, y, class, source]. */
async function setup() {
  const dir = tempDir();
  const slidePath = await writeTestSlide(dir);
  const store = ProjectStore.create(path.join(dir, 'p.histo'));
  const registered = await registerSource(store, { kind: 'slide', path: slidePath }, { tileSize: 64, level: 0, minTissue: 0 });
  await registered.source.close();
  const task = new TasksRepo(store.db).create('tissue', ['tumour', 'stroma', 'other']);
  const slideId = (store.db.prepare('SELECT id FROM slides').get() as { id: number }).id;
  const labels = () => new LabelsRepo(store.db).all(task.id).map((l) => [l.x, l.y, l.className, l.source] as const);
  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  return { dir, store, task, slideId, labels, write, viewer: new ViewerAnnotations(store) };
}

describe('viewer annotations', () => {
  it('labels the tiles whose centre lies under a rectangle, a polygon and a brush stroke', async () => {
    const { store, slideId, labels, viewer } = await setup();
    try {
      // Centres at 32, 96, 160...: a rectangle over x 0..130, y 0..70 holds the centres (32|96, 32).
      const rect = viewer.create({ task: 'tissue', slideId, className: 'tumour', kind: 'rectangle', polygons: [rectanglePolygon(0, 0, 130, 70)], author: 'ana' });
      expect(rect.labelled).toBe(2);
      expect(labels()).toEqual([[0, 0, 'tumour', 'viewer'], [64, 0, 'tumour', 'viewer']]);
      // A triangle whose hypotenuse passes between the centres (288, 224) and (224, 288).
      const triangle = [[[256, 192], [384, 192], [256, 320], [256, 192]]] as Array<Array<[number, number]>>;
      expect(viewer.create({ task: 'tissue', slideId, className: 'stroma', kind: 'polygon', polygons: [triangle], author: 'ana' }).labelled).toBe(1);
      expect(labels()).toContainEqual([256, 192, 'stroma', 'viewer']);
      // A brush along y = 352 from x 32 to 160, radius 10: three tile centres.
      const stroke = brushPolygons([[32, 352], [100, 352], [160, 352]], 10);
      expect(viewer.create({ task: 'tissue', slideId, className: 'other', kind: 'brush', polygons: stroke, author: 'ana' }).labelled).toBe(3);
      expect(viewer.list('tissue', slideId).map((a) => [a.kind, a.tiles])).toEqual([['rectangle', 2], ['polygon', 1], ['brush', 3]]);
    } finally {
      store.close();
    }
  });

  it('moves labels with an edit, takes them back on delete, and leaves other labels alone', async () => {
    const { store, task, slideId, labels, viewer } = await setup();
    try {
      new LabelsRepo(store.db).upsertMany(task.id, [{ tileId: (store.db.prepare('SELECT id FROM tiles WHERE x = 448 AND y = 320').get() as { id: number }).id, className: 'other' }], 'import', null);
      const big = viewer.create({ task: task.id, slideId, className: 'tumour', kind: 'rectangle', polygons: [rectanglePolygon(0, 0, 128, 64)], author: null });
      const small = viewer.create({ task: task.id, slideId, className: 'stroma', kind: 'rectangle', polygons: [rectanglePolygon(0, 0, 64, 64)], author: null });
      expect(labels()).toContainEqual([0, 0, 'stroma', 'viewer']);
      // Deleting the later annotation gives its tile back to the earlier one that covers it too.
      expect(viewer.delete(small.annotation.id)).toEqual({ id: small.annotation.id, unlabelled: 0 });
      expect(labels()).toContainEqual([0, 0, 'tumour', 'viewer']);
      // An edit moves the labels: the old tiles lose theirs, the new ones get the new class.
      const moved = viewer.update(big.annotation.id, { className: 'other', polygons: [rectanglePolygon(128, 0, 256, 64)] });
      expect(moved.labelled).toBe(2);
      expect(labels()).toEqual([[128, 0, 'other', 'viewer'], [192, 0, 'other', 'viewer'], [448, 320, 'other', 'import']]);
      expect(viewer.delete(big.annotation.id).unlabelled).toBe(2);
      expect(labels()).toEqual([[448, 320, 'other', 'import']]);
      expect(() => viewer.delete(big.annotation.id)).toThrow(/no annotation/);
    } finally {
      store.close();
    }
  });

  it('labels the tile under a click and refuses bad requests without writing', async () => {
    const { store, slideId, labels, viewer } = await setup();
    try {
      expect(viewer.labelTile({ task: 'tissue', slideId, x: 70, y: 10, className: 'stroma', author: 'ana' }).tileIds).toHaveLength(1);
      expect(labels()).toEqual([[64, 0, 'stroma', 'viewer']]);
      expect(viewer.labelledTiles('tissue', slideId)).toEqual([{ x: 64, y: 0, width: 64, height: 64, className: 'stroma', source: 'viewer' }]);
      expect(() => viewer.labelTile({ task: 'tissue', slideId, x: 9000, y: 10, className: 'stroma', author: null })).toThrow(/no tile of .* at \(9000, 10\)/);
      expect(() => viewer.create({ task: 'tissue', slideId, className: 'necrosis', kind: 'rectangle', polygons: [rectanglePolygon(0, 0, 64, 64)], author: null })).toThrow(/no class 'necrosis'/);
      expect(() => viewer.create({ task: 'tissue', slideId, className: 'tumour', kind: 'rectangle', polygons: [rectanglePolygon(600, 0, 700, 64)], author: null })).toThrow(/outside the slide \(512 x 384 px/);
      expect(() => viewer.create({ task: 'tissue', slideId, className: 'tumour', kind: 'rectangle', polygons: [rectanglePolygon(10, 10, 10, 64)], author: null })).toThrow(/no area/);
      expect(labels()).toHaveLength(1);
      expect(viewer.list('tissue', slideId)).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('annotation files', () => {
  it('round-trips QuPath GeoJSON: export, import into another task, the same labels', async () => {
    const { dir, store, slideId, labels, viewer } = await setup();
    try {
      viewer.create({ task: 'tissue', slideId, className: 'tumour', kind: 'rectangle', polygons: [rectanglePolygon(0, 0, 130, 70)], author: 'ana' });
      viewer.create({ task: 'tissue', slideId, className: 'other', kind: 'brush', polygons: brushPolygons([[32, 352], [160, 352]], 10), author: 'ana' });
      const file = path.join(dir, 'annotations.geojson');
      expect(exportAnnotations(store, { task: 'tissue', slideId, file })).toMatchObject({ annotations: 2 });
      const written = JSON.parse(fs.readFileSync(file, 'utf8')) as { features: Array<{ geometry: { type: string }; properties: { classification: { name: string; colorHex: string } } }> };
      expect(written.features.map((f) => [f.geometry.type, f.properties.classification.name, f.properties.classification.colorHex])).toEqual([
        ['Polygon', 'tumour', '#e69f00'],
        ['MultiPolygon', 'other', '#009e73'],
      ]);
      const before = labels();
      new TasksRepo(store.db).create('copy', ['tumour', 'stroma', 'other']);
      expect(importAnnotations(store, { task: 'copy', slideId, file, author: null })).toMatchObject({ annotations: 2, labelled: before.length, perClass: { tumour: 2, other: 3 } });
      const copied = new LabelsRepo(store.db).all(new TasksRepo(store.db).require('copy').id).map((l) => [l.x, l.y, l.className, l.source] as const);
      expect(copied).toEqual(before);
      expect(viewer.list('copy', slideId).map((a) => a.kind)).toEqual(['imported', 'imported']);
    } finally {
      store.close();
    }
  });

  it('imports ImageScope XML: polygons, rectangles, ellipses, holes, the class from Text or Name', async () => {
    const { store, slideId, write } = await setup();
    try {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- ImageScope 12 -->
<Annotations MicronsPerPixel="0.5">
  <Annotation Id="1" Name="tumour" LineColor="65280">
    <Attributes><Attribute Name="Description" Value=""/></Attributes>
    <Regions>
      <RegionAttributeHeaders><AttributeHeader Id="9999" Name="Region" ColumnWidth="-1"/></RegionAttributeHeaders>
      <Region Id="1" Type="1" NegativeROA="0" Text="">
        <Vertices><Vertex X="0" Y="0" Z="0"/><Vertex X="192" Y="0"/><Vertex X="192" Y="64"/><Vertex X="0" Y="64"/></Vertices>
      </Region>
      <Region Id="2" Type="0" NegativeROA="1"><Vertices><Vertex X="64" Y="0"/><Vertex X="128" Y="0"/><Vertex X="128" Y="64"/><Vertex X="64" Y="64"/></Vertices></Region>
      <Region Id="3" Type="4" Text="ruler"><Vertices><Vertex X="0" Y="0"/><Vertex X="500" Y="300"/></Vertices></Region>
    </Regions>
  </Annotation>
  <Annotation Id="2" Name="ignored">
    <Regions>
      <Region Id="4" Type="2" Text="stroma&#32;fine"><Vertices><Vertex X="256" Y="256"/><Vertex X="384" Y="384"/></Vertices></Region>
    </Regions>
  </Annotation>
</Annotations>`;
      new TasksRepo(store.db).create('xml', ['tumour', 'stroma fine']);
      const result = importAnnotations(store, { task: 'xml', slideId, file: write('slide.xml', xml), author: null });
      expect(result).toMatchObject({ annotations: 2, perClass: { tumour: 2, 'stroma fine': 4 } });
      const rows = new LabelsRepo(store.db).all(new TasksRepo(store.db).require('xml').id).map((l) => [l.x, l.y, l.className]);
      // The hole (x 64..128) leaves the middle tile of the rectangle unlabelled.
      expect(rows).toEqual([[0, 0, 'tumour'], [128, 0, 'tumour'], [256, 256, 'stroma fine'], [320, 256, 'stroma fine'], [256, 320, 'stroma fine'], [320, 320, 'stroma fine']]);
    } finally {
      store.close();
    }
  });

  it.each([
    ['an entity declaration', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;">]><Annotations>&y;</Annotations>', /line 1: DOCTYPE, ENTITY and CDATA are not allowed/],
    ['an unclosed element', '<Annotations>\n<Annotation Name="tumour">\n<Regions>', /<Regions> \(line 3\) is never closed/],
    ['a mismatched close', '<Annotations><Annotation></Regions></Annotations>', /<\/Regions> closes <Annotation>/],
    ['a malformed tag', '<Annotations><Annotation Name=tumour></Annotation></Annotations>', /line 1: malformed tag/],
    ['another root', '<Foo/>', /not an ImageScope annotation file/],
    ['a vertex that is not a number', '<Annotations><Annotation Name="tumour"><Regions><Region Type="0"><Vertices><Vertex X="1e999" Y="0"/><Vertex X="9" Y="0"/><Vertex X="9" Y="9"/></Vertices></Region></Regions></Annotation></Annotations>', /region 1\), vertex 1: X="1e999" is not a number/],
    ['a polygon of two vertices', '<Annotations><Annotation Name="tumour"><Regions><Region Type="0"><Vertices><Vertex X="1" Y="0"/><Vertex X="9" Y="0"/></Vertices></Region></Regions></Annotation></Annotations>', /needs at least 3 vertices/],
    ['an unknown class', '<Annotations><Annotation Name="necrosis"><Regions><Region Type="1"><Vertices><Vertex X="0" Y="0"/><Vertex X="64" Y="64"/></Vertices></Region></Regions></Annotation></Annotations>', /region 1: unknown class 'necrosis'/],
    ['a region off the slide', '<Annotations><Annotation Name="tumour"><Regions><Region Type="1"><Vertices><Vertex X="9000" Y="0"/><Vertex X="9064" Y="64"/></Vertices></Region></Regions></Annotation></Annotations>', /lies outside the slide/],
    ['an unknown entity', '<Annotations><Annotation Name="&bomb;"></Annotation></Annotations>', /unknown entity &bomb;/],
    ['no regions', '<Annotations></Annotations>', /holds no regions/],
  ])('refuses ImageScope XML with %s, naming the file, and stores nothing', async (_what, xml, message) => {
    const { store, slideId, labels, write, viewer } = await setup();
    try {
      const file = write('bad.xml', xml);
      expect(() => importAnnotations(store, { task: 'tissue', slideId, file, author: null })).toThrow(message);
      expect(() => importAnnotations(store, { task: 'tissue', slideId, file, author: null })).toThrow(file);
      expect(labels()).toEqual([]);
      expect(viewer.list('tissue', slideId)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('refuses a deeply nested or huge hostile XML quickly', async () => {
    const { store, slideId, write } = await setup();
    try {
      const deep = write('deep.xml', `<Annotations>${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}</Annotations>`);
      const started = Date.now();
      expect(() => importAnnotations(store, { task: 'tissue', slideId, file: deep, author: null })).toThrow(/holds no regions/);
      const quoteBomb = write('quotes.xml', `<Annotations><Annotation Name="${'"'.repeat(1)}${' x='.repeat(100_000)}></Annotations>`);
      expect(() => importAnnotations(store, { task: 'tissue', slideId, file: quoteBomb, author: null })).toThrow(/malformed tag/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      store.close();
    }
  });
});
