import fs from 'node:fs';
import path from 'node:path';
import { classColor } from '../../../src-shared/domain/class-colors';
import { HistoError } from '../errors';
import { readLabelFile } from '../labels/import-labels';
import { parseGeoJsonAnnotations } from '../labels/parse-geojson-annotations';
import { recordAudit } from '../project/repos/audit-repo';
import type { ProjectStore } from '../project/project-store';
import { resolveTask } from '../search/resolve-task';
import { parseImageScopeXml } from './imagescope-xml';
import { checkPolygons, requireSlide, ViewerAnnotations } from './viewer-annotations';

/**
 * Imports a slide's annotations from QuPath GeoJSON (.geojson/.json) or Aperio ImageScope XML (.xml)
 * as viewer annotations of a task, all or nothing: every annotation is checked (class, geometry,
 * place on the slide) before the first is stored, and all are stored in one transaction.
 */
export function importAnnotations(
  store: ProjectStore,
  request: { task: number | string; slideId: number; file: string; author: string | null },
): { file: string; annotations: number; labelled: number; perClass: Record<string, number> } {
  const file = path.resolve(request.file);
  const task = resolveTask(store, request.task);
  const slide = requireSlide(store, request.slideId);
  const ext = path.extname(file).toLowerCase();
  if (!['.geojson', '.json', '.xml'].includes(ext)) throw new HistoError('BAD_INPUT', `${file}: annotation files are QuPath .geojson or ImageScope .xml`);
  const text = readLabelFile(file);
  const parsed = ext === '.xml' ? parseImageScopeXml(text, file) : parseGeoJsonAnnotations(text, file);
  for (const annotation of parsed) {
    const where = `${file}: ${ext === '.xml' ? 'region' : 'feature'} ${annotation.feature}`;
    if (!task.classes.includes(annotation.className.trim())) {
      throw new HistoError('BAD_INPUT', `${where}: unknown class '${annotation.className.slice(0, 80)}' (task ${task.name} has: ${task.classes.join(', ')})`);
    }
    checkPolygons(annotation.polygons, slide, where);
  }
  const viewer = new ViewerAnnotations(store);
  const perClass: Record<string, number> = {};
  let labelled = 0;
  store.db.transaction(() => {
    for (const annotation of parsed) {
      const created = viewer.create({ task: task.id, slideId: slide.id, className: annotation.className, kind: 'imported', polygons: annotation.polygons, author: request.author });
      perClass[created.annotation.className] = (perClass[created.annotation.className] ?? 0) + created.labelled;
      labelled += created.labelled;
    }
    recordAudit(store.db, 'annotation.import', { task: task.name, slide: slide.path, file, annotations: parsed.length, labelled });
  })();
  return { file, annotations: parsed.length, labelled, perClass };
}

/**
 * Writes a slide's annotations of a task as a QuPath GeoJSON FeatureCollection: one feature per
 * annotation (Polygon or MultiPolygon, level-0 pixels) with its classification in the class colours
 * the UI uses, so it opens in QuPath as drawn and imports back here unchanged.
 */
export function exportAnnotations(store: ProjectStore, request: { task: number | string; slideId: number; file: string }): { file: string; annotations: number } {
  const file = path.resolve(request.file);
  if (!fs.existsSync(path.dirname(file))) throw new HistoError('NOT_FOUND', `${path.dirname(file)}: folder does not exist`);
  if (!['.geojson', '.json'].includes(path.extname(file).toLowerCase())) throw new HistoError('VALIDATION', `${file}: export annotations to .geojson`);
  const task = resolveTask(store, request.task);
  const slide = requireSlide(store, request.slideId);
  const annotations = new ViewerAnnotations(store).list(task.id, slide.id);
  const features = annotations.map((a) => {
    const { rgb, hex } = classColor(task.classes.indexOf(a.className));
    return {
      type: 'Feature',
      id: `histo-annotation-${a.id}`,
      geometry: a.polygons.length === 1 ? { type: 'Polygon', coordinates: a.polygons[0] } : { type: 'MultiPolygon', coordinates: a.polygons },
      properties: {
        objectType: 'annotation',
        classification: { name: a.className, color: rgb, colorHex: hex },
        slide: slide.path,
        drawnAs: a.kind,
        ...(a.author ? { author: a.author } : {}),
      },
    };
  });
  fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }, null, 1));
  recordAudit(store.db, 'annotation.export', { task: task.name, slide: slide.path, file, annotations: annotations.length });
  return { file, annotations: annotations.length };
}
