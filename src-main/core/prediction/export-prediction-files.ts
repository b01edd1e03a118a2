import path from 'node:path';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { HeadsRepo } from '../project/repos/heads-repo';
import { OodRepo } from '../project/repos/ood-repo';
import { writePredictionCsv, writePredictionGeoJson, writeSummaryCsv, type FocusCut } from './export-predictions';
import { writePredictionMaps } from './prediction-map-tiff';
import { loadSlidePredictions } from './slide-predictions';
import { writeSlideReport } from './slide-report';
import { SlideReviewReportRepo } from '../project/repos/slide-review-report-repo';
import { predictedSlides } from './stored-predictions';

export interface PredictionExportRequest {
  slideIds?: number[];
  threshold?: number;
  /**
   * The class of interest (null: all classes) at `threshold`: the summary, the report, a `called`
   * column of the tile CSV and the GeoJSON (only called tiles) follow it. Left out: the head's own
   * class for the summary and report, and every tile in the CSV and GeoJSON.
   */
  focus?: string | null;
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
  const stored = predictedSlides(store, headId, request.threshold, request.focus);
  const chosen = stored.slides.filter((s) => !request.slideIds || request.slideIds.includes(s.slideId));
  const perSlide = () => chosen.map((s) => ({ path: s.path, tiles: loadSlidePredictions(store, headId, s.slideId) }));
  const cut: FocusCut | null = request.focus === undefined ? null : { focus: stored.focus === null ? null : stored.classes.indexOf(stored.focus), threshold: stored.threshold };
  const files: string[] = [];
  if (request.csv) files.push(writePredictionCsv(request.csv, stored.classes, perSlide(), cut));
  if (request.geojson) files.push(writePredictionGeoJson(request.geojson, stored.classes, perSlide(), request.merge ?? false, cut));
  if (request.map) files.push(...writePredictionMaps(request.map, stored.classes, perSlide()));
  if (request.summary) files.push(writeSummaryCsv(request.summary, chosen, stored));
  if (request.report) {
    const { listing, head } = new HeadsRepo(store.db).load(headId);
    const backbone = new BackbonesRepo(store.db).get(listing.backboneId)!;
    const described = { id: headId, kind: head.kind, task: listing.task, classes: head.classes, threshold: stored.threshold, backbone: backbone.name, backboneSha256: backbone.sha256, metrics: listing.metrics };
    const focus = stored.focus === null ? null : head.classes.indexOf(stored.focus);
    const reviews = new SlideReviewReportRepo(store.db);
    const ood = new OodRepo(store.db);
    for (const slide of chosen) {
      const tiles = loadSlidePredictions(store, headId, slide.slideId);
      files.push(
        await writeSlideReport(path.resolve(request.report), {
          head: described,
          focus,
          threshold: stored.threshold,
          detection: stored.detection,
          slide,
          tiles,
          oodByTile: ood.scores(headId, tiles.map((t) => t.tileId)),
          tilings: reviews.predictedTilings(headId, slide.slideId),
          review: reviews.reviewOf(headId, slide.slideId),
          mppX: reviews.slideMpp(slide.slideId),
        }),
      );
    }
  }
  if (files.length) recordAudit(store.db, 'predict.export', { headId, files });
  return files;
}
