import type { ProjectStore } from '../project/project-store';
import type { TilingChoice } from '../extraction/extraction-plan';
import { LabelsRepo } from '../project/repos/labels-repo';

/**
 * The tiling a head should predict on: the one most of its task's labelled slide tiles came from
 * (the resolution it learned at), else 224 px tiles at 0.5 µm/px, tissue only.
 */
export function headTiling(store: ProjectStore, taskId: number, inputSize: number): TilingChoice {
  const row = new LabelsRepo(store.db).mostLabelledTiling(taskId);
  if (!row) return { tileSize: inputSize, mpp: 0.5, minTissue: 0.5 };
  return { tileSize: row.tileSize, ...(row.mpp !== null ? { mpp: row.mpp } : { level: row.level ?? 0 }), minTissue: row.minTissue };
}
