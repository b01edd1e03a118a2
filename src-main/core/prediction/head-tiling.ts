import type { ProjectStore } from '../project/project-store';
import type { TilingChoice } from '../extraction/extraction-plan';

/**
 * The tiling a head should predict on: the one most of its task's labelled slide tiles came from
 * (the resolution it learned at), else 224 px tiles at 0.5 µm/px, tissue only.
 */
export function headTiling(store: ProjectStore, taskId: number, inputSize: number): TilingChoice {
  const row = store.db
    .prepare(
      `SELECT g.tile_size AS tileSize, g.target_mpp AS mpp, g.level AS level, g.min_tissue AS minTissue, count(*) AS n
       FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       WHERE l.task_id = ? AND s.kind = 'slide' GROUP BY g.params_key ORDER BY n DESC LIMIT 1`,
    )
    .get(taskId) as { tileSize: number; mpp: number | null; level: number | null; minTissue: number } | undefined;
  if (!row) return { tileSize: inputSize, mpp: 0.5, minTissue: 0.5 };
  return { tileSize: row.tileSize, ...(row.mpp !== null ? { mpp: row.mpp } : { level: row.level ?? 0 }), minTissue: row.minTissue };
}
