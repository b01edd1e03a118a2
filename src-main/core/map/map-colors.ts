import type { MapColorBy, MapColors } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import { argmax, probabilitiesFromBlob } from '../prediction/slide-predictions';
import { positiveClassOf } from '../prediction/predict-slides';
import { HeadsRepo } from '../project/repos/heads-repo';
import { resolveTask } from '../search/resolve-task';
import { LabelsRepo } from '../project/repos/labels-repo';
import { PredictionsRepo } from '../project/repos/predictions-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { OodRepo } from '../project/repos/ood-repo';
import { sourceCategories } from './map-sources';

/** Colours of a map's points (in its tile order) by slide or patch set, label, predicted class, probability or OOD score. */
export function mapColors(store: ProjectStore, tileIds: Int32Array, colorBy: MapColorBy): MapColors {
  const rowOf = new Map<number, number>();
  tileIds.forEach((id, row) => rowOf.set(id, row));
  const values = new Array<number>(tileIds.length).fill(-1);
  switch (colorBy.by) {
    case 'slide': {
      // Each slide, and each patch set as a whole, of the tiles in the map (map-sources.ts).
      const slideOfRow = new Int32Array(tileIds.length).fill(-1);
      for (const [tileId, slideId] of new TilesRepo(store.db).iterateSlideOfTiles()) {
        const row = rowOf.get(tileId);
        if (row !== undefined) slideOfRow[row] = slideId;
      }
      const { categories, categoryOfSlide } = sourceCategories(new SlidesRepo(store.db).pathsWithPatchSet(), new Set(slideOfRow));
      slideOfRow.forEach((slideId, row) => (values[row] = categoryOfSlide.get(slideId) ?? -1));
      return { kind: 'category', categories, values };
    }
    case 'label': {
      const task = resolveTask(store, colorBy.task);
      for (const [tileId, className] of new LabelsRepo(store.db).iterateClasses(task.id)) {
        const row = rowOf.get(tileId);
        if (row !== undefined) values[row] = task.classes.indexOf(className);
      }
      return { kind: 'category', categories: task.classes, values };
    }
    case 'predicted':
    case 'probability': {
      const { head, summary } = new HeadsRepo(store.db).load(colorBy.head);
      let wanted = -1;
      if (colorBy.by === 'probability') {
        wanted = colorBy.className === undefined ? positiveClassOf(head.classes, summary) : head.classes.indexOf(colorBy.className);
        if (wanted < 0) throw new HistoError('VALIDATION', `head ${colorBy.head} has no class '${colorBy.className}' (classes: ${head.classes.join(', ')})`);
      }
      for (const [tileId, blob] of new PredictionsRepo(store.db).iterateOfHead(colorBy.head)) {
        const row = rowOf.get(tileId);
        if (row === undefined) continue;
        const probs = probabilitiesFromBlob(blob);
        values[row] = wanted < 0 ? argmax(probs) : probs[wanted]!;
      }
      return colorBy.by === 'predicted' ? { kind: 'category', categories: head.classes, values } : { kind: 'scalar', categories: [head.classes[wanted]!], values };
    }
    case 'ood': {
      new HeadsRepo(store.db).load(colorBy.head); // NOT_FOUND for an unknown head, rather than an all-grey map
      for (const [tileId, percentile] of new OodRepo(store.db).allScores(colorBy.head)) {
        const row = rowOf.get(tileId);
        if (row !== undefined) values[row] = percentile / 100;
      }
      return { kind: 'scalar', categories: ['out-of-distribution percentile'], values };
    }
  }
}
