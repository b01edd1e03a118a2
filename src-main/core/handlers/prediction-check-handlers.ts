import path from 'node:path';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { HeadsRepo } from '../project/repos/heads-repo';
import { LabelResolutionsRepo } from '../project/repos/label-resolutions-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { headTiling } from '../prediction/head-tiling';
import { predictionWarnings, type PredictTarget } from '../prediction/prediction-warnings';

/** Checks a prediction before it starts, so Review can warn while the user can still choose otherwise. */
export function predictionCheckHandlers(core: CoreContext): Pick<Handlers, 'predict.preflight'> {
  return {
    'predict.preflight': ({ head: headId, paths }) => {
      const store = core.requireProject();
      const { listing } = new HeadsRepo(store.db).load(headId);
      const backbone = new BackbonesRepo(store.db).get(listing.backboneId)!;
      const slides = new SlidesRepo(store.db);
      // Paths the project has not seen yet are slides to be registered: their scale is checked when they are tiled.
      const targets: PredictTarget[] = [];
      for (const p of paths) {
        const id = slides.idOfPath(path.resolve(p));
        const slide = id === undefined ? undefined : slides.get(id);
        if (slide) targets.push({ kind: slide.kind, mpp: slide.info.mppX });
      }
      const training = new LabelResolutionsRepo(store.db).forTask(listing.taskId);
      return { warnings: predictionWarnings(training, headTiling(store, listing.taskId, backbone.inputSize), targets) };
    },
  };
}
