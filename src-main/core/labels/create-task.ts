import type { ProjectStore } from '../project/project-store';
import { TaskDetectionRepo } from '../project/repos/task-detection-repo';
import { TasksRepo, type StoredTask } from '../project/repos/tasks-repo';

/**
 * Creates a task, marked as detection-style when it counts objects (cells, mitoses, foci): only
 * then are "called tiles per mm²" shown and exported. Tissue typing leaves it off.
 */
export function createTask(store: ProjectStore, name: string, classes: readonly string[], detection: boolean): StoredTask & { detection: boolean } {
  return store.db.transaction(() => {
    const task = new TasksRepo(store.db).create(name, classes);
    if (detection) new TaskDetectionRepo(store.db).setDetection(task.id, true);
    return { ...task, detection };
  })();
}
