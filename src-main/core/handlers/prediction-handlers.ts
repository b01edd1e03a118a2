import os from 'node:os';
import path from 'node:path';
import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import { recordAudit } from '../project/audit-log';
import { predictSlides } from '../prediction/predict-slides';
import { predictedSlides } from '../prediction/stored-predictions';
import { loadSlidePredictions } from '../prediction/slide-predictions';
import { writePredictionCsv, writePredictionGeoJson, writeSummaryCsv } from '../prediction/export-predictions';
import { writeSlideReport } from '../prediction/slide-report';
import { decideReview, reviewProgress, reviewQueue } from '../prediction/review';
import { loadHead } from '../training/heads-repo';
import { BackbonesRepo } from '../project/repos/backbones-repo';

type PredictionMethods = 'predict.start' | 'predict.slides' | 'predict.export' | 'review.queue' | 'review.decide' | 'review.progress';

export function predictionHandlers(core: HistoCore): Pick<Handlers, PredictionMethods> {
  return {
    'predict.start': ({ head, paths, threshold, positive }) => {
      const store = core.requireProject();
      return { jobId: core.jobs.start('predict', (ctx) => predictSlides(store, head, paths, { threshold, positive }, ctx)).jobId };
    },
    'predict.slides': ({ head, threshold }) => predictedSlides(core.requireProject(), head, threshold),
    'predict.export': async ({ head: headId, slideIds, threshold, csv, geojson, merge, summary, report }) => {
      const store = core.requireProject();
      const stored = predictedSlides(store, headId, threshold);
      const chosen = stored.slides.filter((s) => !slideIds || slideIds.includes(s.slideId));
      const perSlide = () => chosen.map((s) => ({ path: s.path, tiles: loadSlidePredictions(store, headId, s.slideId) }));
      const files: string[] = [];
      if (csv) files.push(writePredictionCsv(csv, stored.classes, perSlide()));
      if (geojson) files.push(writePredictionGeoJson(geojson, stored.classes, perSlide(), merge));
      if (summary) files.push(writeSummaryCsv(summary, chosen.map((s) => ({ ...s, tilingId: 0 })), stored.threshold, stored.positive));
      if (report) {
        const { listing, head } = loadHead(store, headId);
        const backbone = new BackbonesRepo(store.db).get(listing.backboneId)!;
        const run = {
          head: { id: headId, kind: head.kind, task: listing.task, classes: head.classes, positive: stored.positive, threshold: stored.threshold, backbone: backbone.name, backboneSha256: backbone.sha256, metrics: listing.metrics },
          slides: [],
          failed: [],
          seconds: 0,
        };
        for (const s of chosen) files.push(await writeSlideReport(path.resolve(report), run, { ...s, tilingId: 0 }, loadSlidePredictions(store, headId, s.slideId), head.classes.indexOf(stored.positive)));
      }
      recordAudit(store.db, 'predict.export', { headId, files });
      return { files };
    },
    'review.queue': ({ head, mode, slideId, limit, includeDecided }) => reviewQueue(core.requireProject(), head, { mode, slideId, limit, includeDecided }),
    'review.decide': ({ head, tileId, decision, className, author }) =>
      decideReview(core.requireProject(), head, tileId, decision, className ?? null, author ?? os.userInfo().username),
    'review.progress': ({ head }) => reviewProgress(core.requireProject(), head),
  };
}
