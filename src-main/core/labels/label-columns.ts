import type { TaskLabelColumns } from '../../../src-shared/contract';
import type { ProjectStore } from '../project/project-store';
import { LabelTableRepo } from '../project/repos/label-table-repo';
import { TasksRepo } from '../project/repos/tasks-repo';

/** Numbers the distinct values of one column in order of first appearance. */
class Dictionary<T> {
  readonly values: T[] = [];
  private readonly indexOf = new Map<T, number>();

  index(value: T): number {
    let index = this.indexOf.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indexOf.set(value, index);
    }
    return index;
  }
}

/**
 * Every label of a task as columns with repeated values stored once (see `TaskLabelColumns`). The
 * task's own classes come first, in their order, so class indexes follow the task's colours.
 */
export function taskLabelColumns(store: ProjectStore, taskName: string): TaskLabelColumns {
  const task = new TasksRepo(store.db).require(taskName);
  const slides = new Dictionary<number>();
  const slidePaths: string[] = [];
  const classes = new Dictionary<string>();
  for (const name of task.classes) classes.index(name);
  const sources = new Dictionary<string>();
  const dates = new Dictionary<string>();
  const authors = new Dictionary<string | null>();
  const rows: TaskLabelColumns['rows'] = { tileId: [], slide: [], classIndex: [], source: [], date: [], author: [], x: [], y: [] };
  for (const label of new LabelTableRepo(store.db).iterate(task.id)) {
    const slideIndex = slides.index(label.slideId);
    if (slideIndex === slidePaths.length) slidePaths.push(label.path);
    rows.tileId.push(label.tileId);
    rows.slide.push(slideIndex);
    rows.classIndex.push(classes.index(label.className));
    rows.source.push(sources.index(label.source));
    rows.date.push(dates.index(label.createdAt));
    rows.author.push(authors.index(label.author));
    rows.x.push(label.x);
    rows.y.push(label.y);
  }
  return {
    task: task.name,
    slides: slides.values.map((id, i) => ({ id, path: slidePaths[i]! })),
    classes: classes.values,
    sources: sources.values,
    dates: dates.values,
    authors: authors.values,
    rows,
  };
}
