import path from 'node:path';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/audit-log';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { OodRepo } from '../project/repos/ood-repo';
import { loadHead } from '../training/heads-repo';
import { writePredictionCsv, writePredictionGeoJson, writeSummaryCsv } from './export-predictions';
import { writePredictionMaps } from './prediction-map-tiff';
import { loadSlidePredictions } from './slide-predictions';
import { writeSlideReport } from './slide-report';
import { predictedSlides } from './stored-predictions';

export interface PredictionExportRequest {
  slideIds?: number[];
  threshold?: number;
  csv?: string;
  geojson?: string;
  merge?: boolean;
  summary?: string;
  report?: string;
  /** Folder for one class/probability map TIFF per slide. */
  map?: string;
}

/** Writes the requested exports of a head's stored predictions (the CLI's and the UI's one path). */
export async function exportPredictionFiles(store: ProjectStore, headId: number, request: PredictionExportRequest): Promise<string[]> {
  const stored = predictedSlides(store, headId, request.threshold);
  const chosen = stored.slides.filter((s) => !request.slideIds || request.slideIds.includes(s.slideId));
  const perSlide = () => chosen.map((s) => ({ path: s.path, tiles: loadSlidePredictions(store, headId, s.slideId) }));
  const files: string[] = [];
  if (request.csv) files.push(writePredictionCsv(request.csv, stored.classes, perSlide()));
  if (request.geojson) files.push(writePredictionGeoJson(request.geojson, stored.classes, perSlide(), request.merge ?? false));
  if (request.map) files.push(...writePredictionMaps(request.map, stored.classes, perSlide()));
  if (request.summary) files.push(writeSummaryCsv(request.summary, chosen, stored.threshold, stored.positive));
  if (request.report) {
    const { listing, head } = loadHead(store, headId);
    const backbone = new BackbonesRepo(store.db).get(listing.backboneId)!;
    const described = {
      id: headId,
      kind: head.kind,
      task: listing.task,
      classes: head.classes,
      positive: stored.positive,
      threshold: stored.threshold,
      backbone: backbone.name,
      backboneSha256: backbone.sha256,
      metrics: listing.metrics,
    };
    const positiveIndex = head.classes.indexOf(stored.positive);
    const ood = new OodRepo(store.db);
    for (const slide of chosen) {
      const tiles = loadSlidePredictions(store, headId, slide.slideId);
      files.push(await writeSlideReport(path.resolve(request.report), described, slide, tiles, positiveIndex, ood.scores(headId, tiles.map((t) => t.tileId))));
    }
  }
  if (files.length) recordAudit(store.db, 'predict.export', { headId, files });
  return files;
}
