import os from 'node:os';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { predictSlides } from '../prediction/predict-slides';
import { predictedSlides } from '../prediction/stored-predictions';
import { exportPredictionFiles } from '../prediction/export-prediction-files';
import { decideReview, reviewProgress, reviewQueue } from '../prediction/review';

type PredictionMethods = 'predict.start' | 'predict.slides' | 'predict.export' | 'review.queue' | 'review.decide' | 'review.progress';

export function predictionHandlers(core: CoreContext): Pick<Handlers, PredictionMethods> {
  return {
    'predict.start': ({ head, paths, threshold, positive, shard }) => {
      const store = core.requireProject();
      return { jobId: core.jobs.start('predict', (ctx) => predictSlides(store, head, paths, { threshold, positive, shard }, ctx)).jobId };
    },
    'predict.slides': ({ head, threshold, focus }) => predictedSlides(core.requireProject(), head, threshold, focus),
    'predict.export': async ({ head, ...request }) => ({ files: await exportPredictionFiles(core.requireProject(), head, request) }),
    'review.queue': ({ head, ...options }) => reviewQueue(core.requireProject(), head, options),
    'review.decide': ({ head, tileId, decision, className, author }) =>
      decideReview(core.requireProject(), head, tileId, decision, className ?? null, author ?? os.userInfo().username),
    'review.progress': ({ head }) => reviewProgress(core.requireProject(), head),
  };
}
