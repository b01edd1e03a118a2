import { HistoError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import { TasksRepo, type StoredTask } from '../project/repos/tasks-repo';

/** A task by id (as the UI names it) or by name (as the CLI does). */
export function resolveTask(store: ProjectStore, ref: number | string): StoredTask {
  const tasks = new TasksRepo(store.db);
  if (typeof ref === 'string') return tasks.require(ref);
  const task = tasks.list().find((t) => t.id === ref);
  if (!task) throw new HistoError('NOT_FOUND', `no task ${ref} in this project`);
  return task;
}
