import { HistoError } from '../errors';
import { LabelsRepo } from '../project/repos/labels-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { recordAudit } from '../project/repos/audit-repo';
import type { ProjectStore } from '../project/project-store';
import { resolveTask } from './resolve-task';

/**
 * Labels a selection (search results, a map lasso) as one class of a task, in one transaction: the
 * tiles become training labels with the given source, replacing earlier labels of the same tiles.
 */
export function labelSelection(
  store: ProjectStore,
  request: { task: number | string; className: string; tileIds: readonly number[]; source: 'search' | 'map'; author: string | null },
): { labelled: number; task: string; className: string } {
  const task = resolveTask(store, request.task);
  if (!task.classes.includes(request.className)) {
    throw new HistoError('VALIDATION', `task '${task.name}' has no class '${request.className}' (classes: ${task.classes.join(', ')})`);
  }
  const unique = [...new Set(request.tileIds)];
  const exists = new TilesRepo(store.db).existsCheck();
  const missing = unique.filter((id) => !exists(id));
  if (missing.length > 0) throw new HistoError('NOT_FOUND', `no tile ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in this project; nothing was labelled`);
  store.db.transaction(() => {
    new LabelsRepo(store.db).upsertMany(task.id, unique.map((tileId) => ({ tileId, className: request.className })), request.source, request.author);
    recordAudit(store.db, `labels.${request.source}`, { task: task.name, className: request.className, tiles: unique.length });
  })();
  return { labelled: unique.length, task: task.name, className: request.className };
}
