import fs from 'node:fs';
import path from 'node:path';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { HistoError } from '../errors';
import { parseCsv } from './csv-table';
import { pointInPolygon, polygonBounds } from './geojson-geometry';
import { LabelsRepo, type LabelSource, type NewLabel } from '../project/repos/labels-repo';
import { parseGeoJsonAnnotations } from './parse-geojson-annotations';
import { SlideTiles } from './slide-tiles';
import type { StoredTask } from '../project/repos/tasks-repo';
import { SlidesRepo } from '../project/repos/slides-repo';

const MAX_LABEL_FILE_BYTES = 256 * 1024 * 1024;

export interface LabelImportOptions {
  /** The slide a GeoJSON file annotates. */
  slide?: string;
  author?: string | null;
  source?: LabelSource;
}

export interface LabelImportResult {
  file: string;
  labels: number;
  perClass: Record<string, number>;
}

export function readLabelFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new HistoError('NOT_FOUND', `${file}: no such label file`);
  }
  if (!stat.isFile()) throw new HistoError('BAD_INPUT', `${file}: not a file`);
  if (stat.size > MAX_LABEL_FILE_BYTES) throw new HistoError('BAD_INPUT', `${file}: ${stat.size} bytes is larger than the ${MAX_LABEL_FILE_BYTES}-byte limit for label files`);
  return fs.readFileSync(file, 'utf8');
}

function checkClass(task: StoredTask, className: string, where: string): string {
  const name = className.trim();
  if (!task.classes.includes(name)) {
    throw new HistoError('BAD_INPUT', `${where}: unknown class '${name.slice(0, 80)}' (task ${task.name} has: ${task.classes.join(', ')})`);
  }
  return name;
}

/**
 * CSV rows `source,x,y,label` (slide tiles) or `source,label` (patch images) -> labels; other
 * columns (e.g. patient) are collected per slide into `slideMeta`.
 */
function labelsFromCsv(store: ProjectStore, task: StoredTask, file: string, text: string, slideMeta: Map<number, Record<string, string>>): NewLabel[] {
  const { header, rows } = parseCsv(text, file);
  const column = (name: string) => header.indexOf(name);
  const [source, x, y, label] = [column('source'), column('x'), column('y'), column('label')];
  if (source < 0 || label < 0) throw new HistoError('BAD_INPUT', `${file}: line 1: missing column ${source < 0 ? 'source' : 'label'} (expected source,x,y,label or source,label)`);
  if ((x < 0) !== (y < 0)) throw new HistoError('BAD_INPUT', `${file}: line 1: missing column ${x < 0 ? 'x' : 'y'} (x and y come together)`);
  const tiles = new SlideTiles(store.db);
  const dir = path.dirname(file);
  const labels: NewLabel[] = [];
  // Any other column (patient, block, site...) is a fact about the slide, kept for grouped CV.
  const metaColumns = header.map((name, index) => ({ name, index })).filter((c) => !['source', 'x', 'y', 'label', 'author', 'labelled_by'].includes(c.name) && c.name !== '');
  for (const row of rows) {
    const where = `${file}: line ${row.line}`;
    const sourceName = row.fields[source]!.trim();
    const className = checkClass(task, row.fields[label]!, where);
    const slide = tiles.findSlide(sourceName, dir);
    if (!slide) throw new HistoError('BAD_INPUT', `${where}: no slide or image '${sourceName.slice(0, 200)}' in this project; import or embed it first`);
    let tileIds: number[];
    if (x >= 0) {
      const [px, py] = [row.fields[x]!, row.fields[y]!].map((v) => (v.trim() === '' ? NaN : Number(v)));
      if (!Number.isFinite(px) || !Number.isFinite(py)) throw new HistoError('BAD_INPUT', `${where}: x and y must be numbers, got '${row.fields[x]!.slice(0, 40)}', '${row.fields[y]!.slice(0, 40)}'`);
      if (px! < 0 || py! < 0 || px! >= slide.width || py! >= slide.height) {
        throw new HistoError('BAD_INPUT', `${where}: (${px}, ${py}) lies outside ${path.basename(slide.path)} (${slide.width} x ${slide.height} px)`);
      }
      tileIds = tiles.tilesAt(slide.id, px!, py!);
    } else {
      if (slide.kind !== 'image') throw new HistoError('BAD_INPUT', `${where}: ${sourceName} is a slide: give x and y of the tile`);
      tileIds = tiles.tilesOf(slide.id).map((t) => t.id);
    }
    if (tileIds.length === 0) throw new HistoError('BAD_INPUT', `${where}: no tile of ${sourceName} there; tile or embed the slide first`);
    for (const tileId of tileIds) labels.push({ tileId, className });
    for (const column of metaColumns) {
      const value = row.fields[column.index]!.trim();
      if (value === '') continue;
      const known = slideMeta.get(slide.id) ?? {};
      if (known[column.name] !== undefined && known[column.name] !== value) {
        throw new HistoError('BAD_INPUT', `${where}: ${column.name} '${value.slice(0, 80)}' contradicts '${known[column.name]}' given earlier for ${sourceName}`);
      }
      slideMeta.set(slide.id, { ...known, [column.name]: value });
    }
  }
  return labels;
}

/** QuPath polygons with a classification -> the tiles whose centre lies inside. */
function labelsFromGeoJson(store: ProjectStore, task: StoredTask, file: string, text: string, slidePath: string | undefined): NewLabel[] {
  if (!slidePath) throw new HistoError('VALIDATION', `${file}: a GeoJSON file annotates one slide: choose it in the Slide field`, { cli: `${file}: a GeoJSON file annotates one slide: name it with --slide` });
  const tiles = new SlideTiles(store.db);
  const slide = tiles.findSlide(slidePath, process.cwd());
  if (!slide) throw new HistoError('BAD_INPUT', `${slidePath}: not a slide of this project; import or embed it first`);
  const labels: NewLabel[] = [];
  for (const annotation of parseGeoJsonAnnotations(text, file)) {
    const where = `${file}: feature ${annotation.feature}`;
    const className = checkClass(task, annotation.className, where);
    const box = polygonBounds(annotation.polygons);
    if (box.maxX <= 0 || box.maxY <= 0 || box.minX >= slide.width || box.minY >= slide.height) {
      throw new HistoError('BAD_INPUT', `${where}: the polygon lies outside the slide (${slide.width} x ${slide.height} px, level-0 pixels)`);
    }
    const inside = (x: number, y: number) => annotation.polygons.some((p) => pointInPolygon(x, y, p));
    for (const tileId of tiles.tilesWithCentre(slide.id, inside)) labels.push({ tileId, className });
  }
  return labels;
}

/**
 * Imports a label file into a task, all or nothing: every row is checked before the first label is
 * written, and the writes share one transaction.
 */
export function importLabels(store: ProjectStore, task: StoredTask, file: string, options: LabelImportOptions = {}): LabelImportResult {
  const resolved = path.resolve(file);
  const text = readLabelFile(resolved);
  const ext = path.extname(resolved).toLowerCase();
  const slideMeta = new Map<number, Record<string, string>>();
  const labels =
    ext === '.csv'
      ? labelsFromCsv(store, task, resolved, text, slideMeta)
      : ext === '.geojson' || ext === '.json'
        ? labelsFromGeoJson(store, task, resolved, text, options.slide)
        : (() => {
            throw new HistoError('BAD_INPUT', `${resolved}: label files are .csv or .geojson`);
          })();
  const perClass: Record<string, number> = {};
  for (const l of labels) perClass[l.className] = (perClass[l.className] ?? 0) + 1;
  store.db.transaction(() => {
    new LabelsRepo(store.db).upsertMany(task.id, labels, options.source ?? 'import', options.author ?? null);
    new SlidesRepo(store.db).patchMeta(slideMeta);
    recordAudit(store.db, 'labels.import', { task: task.name, file: resolved, labels: labels.length, perClass });
  })();
  return { file: resolved, labels: labels.length, perClass };
}
