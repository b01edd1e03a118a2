import type { SearchFilters } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import { HeadsRepo } from '../project/repos/heads-repo';
import { LabelsRepo } from '../project/repos/labels-repo';
import { PredictionsRepo } from '../project/repos/predictions-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { argmax, probabilitiesFromBlob } from '../prediction/slide-predictions';
import type { QuantizedIndex } from './quantized-index';
import { resolveTask } from './resolve-task';

/**
 * The index rows a search may return, as a mask (null: every row). Each filter narrows the set;
 * tiles named by a filter but absent from the index are simply not searchable.
 */
export function allowedRows(store: ProjectStore, index: QuantizedIndex, filters: SearchFilters): Uint8Array | null {
  const sets: Array<{ ids: number[]; keep: boolean }> = [];
  if (filters.slideIds) {
    sets.push({ ids: new TilesRepo(store.db).idsOfSlides(filters.slideIds), keep: true });
  }
  if (filters.labelState) {
    const task = resolveTask(store, filters.labelState.task);
    sets.push({ ids: new LabelsRepo(store.db).labelledTileIds(task.id), keep: filters.labelState.state === 'labelled' });
  }
  if (filters.predicted) {
    const { head } = new HeadsRepo(store.db).load(filters.predicted.head);
    const wanted = head.classes.indexOf(filters.predicted.className);
    if (wanted < 0) throw new HistoError('VALIDATION', `head ${filters.predicted.head} has no class '${filters.predicted.className}' (classes: ${head.classes.join(', ')})`);
    const ids: number[] = [];
    for (const [tileId, probs] of new PredictionsRepo(store.db).iterateOfHead(filters.predicted.head)) {
      if (argmax(probabilitiesFromBlob(probs)) === wanted) ids.push(tileId);
    }
    sets.push({ ids, keep: true });
  }
  if (sets.length === 0) return null;
  const mask = new Uint8Array(index.count).fill(1);
  const marks = new Uint8Array(index.count);
  for (const { ids, keep } of sets) {
    marks.fill(0);
    for (const id of ids) {
      const row = index.rowOf(id);
      if (row >= 0) marks[row] = 1;
    }
    for (let r = 0; r < mask.length; r++) if (marks[r] !== (keep ? 1 : 0)) mask[r] = 0;
  }
  return mask;
}
