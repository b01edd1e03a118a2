import type { Dataset } from '../heads/dataset';
import { HistoError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { LabelsRepo } from '../project/repos/labels-repo';
import type { StoredTask } from '../project/repos/tasks-repo';

/** How rows are grouped so that no group falls on both sides of a split. */
export type GroupBy = 'slide' | 'none' | { column: string };

export interface TaskDataset {
  dataset: Dataset;
  /** Tile of each dataset row. */
  tileIds: Int32Array;
  /** Labelled tiles left out because the backbone has no embedding of them yet. */
  missing: number;
}

export function parseGroupBy(text: string | undefined): GroupBy {
  if (text === undefined || text === 'slide') return 'slide';
  if (text === 'none') return 'none';
  return { column: text };
}

/**
 * The labelled embeddings of a task for one backbone, as heads train on them: view 0 in one
 * contiguous matrix (rows in tile order), class indexes, group ids, and the stored augmented views
 * of the same tiles when asked for.
 */
export function loadTaskDataset(store: ProjectStore, task: StoredTask, backbone: StoredBackbone, options: { groupBy?: GroupBy; withViews?: boolean } = {}): TaskDataset {
  const labelled = new LabelsRepo(store.db).labelledTiles(task.id);
  if (labelled.length === 0) throw new HistoError('BAD_INPUT', `task ${task.name} has no labels yet: import labels or a patch folder first`);
  const byTile = new Map(labelled.map((l) => [l.tileId, l]));
  const repo = new EmbeddingsRepo(store.db);
  const matrix = repo.loadMatrix(backbone.id, backbone.dim, { view: 0, tileIds: labelled.map((l) => l.tileId) });
  if (matrix.count === 0) {
    throw new HistoError('BAD_INPUT', `none of the ${labelled.length} labelled tiles of task ${task.name} has an embedding from backbone '${backbone.name}': embed them first`);
  }
  const groupBy = options.groupBy ?? 'slide';
  const groupIds = new Map<string, number>();
  const y = new Int32Array(matrix.count);
  const groups = new Int32Array(matrix.count);
  const rowOfTile = new Map<number, number>();
  for (let i = 0; i < matrix.count; i++) {
    const label = byTile.get(matrix.tileIds[i]!)!;
    y[i] = task.classes.indexOf(label.className);
    if (y[i]! < 0) throw new HistoError('BAD_INPUT', `task ${task.name}: a label has class '${label.className}', which the task no longer has`);
    let key: string;
    if (groupBy === 'slide') key = `slide:${label.slideId}`;
    else if (groupBy === 'none') key = `row:${i}`;
    else {
      const value = (JSON.parse(label.meta) as Record<string, string>)[groupBy.column];
      if (value === undefined) {
        throw new HistoError('BAD_INPUT', `cannot group by '${groupBy.column}': slide ${label.slideId} has no such value (import a label CSV with a ${groupBy.column} column)`);
      }
      key = `meta:${value}`;
    }
    if (!groupIds.has(key)) groupIds.set(key, groupIds.size);
    groups[i] = groupIds.get(key)!;
    rowOfTile.set(matrix.tileIds[i]!, i);
  }
  const dataset: Dataset = { x: matrix.vectors, n: matrix.count, dim: backbone.dim, y, classes: task.classes, groups };
  if (options.withViews) {
    const all = repo.loadMatrix(backbone.id, backbone.dim, { view: null, tileIds: Array.from(matrix.tileIds) });
    const augmented: number[] = [];
    for (let i = 0; i < all.count; i++) if (all.views[i]! > 0) augmented.push(i);
    const x = new Float32Array(augmented.length * backbone.dim);
    const row = new Int32Array(augmented.length);
    augmented.forEach((source, j) => {
      x.set(all.vectors.subarray(source * backbone.dim, (source + 1) * backbone.dim), j * backbone.dim);
      row[j] = rowOfTile.get(all.tileIds[source]!)!;
    });
    dataset.views = { x, n: augmented.length, row };
  }
  return { dataset, tileIds: matrix.tileIds, missing: labelled.length - matrix.count };
}
