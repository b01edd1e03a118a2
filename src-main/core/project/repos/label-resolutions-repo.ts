import type Database from 'better-sqlite3';

/** Labelled tiles of a task grouped by the scale they were cut at. */
export interface LabelResolution {
  kind: 'slide' | 'image';
  /** µm per pixel of the tiles: the tiling's target for slides, the image's own for patches; null when unknown. */
  mpp: number | null;
  tileSize: number;
  /** The patch set of patch images, if any. */
  patchSet: string | null;
  tiles: number;
}

/** What a training run's labels were cut from: the input of the pre-training checks. */
export class LabelResolutionsRepo {
  private readonly byTask: Database.Statement<[number], LabelResolution>;

  constructor(db: Database.Database) {
    this.byTask = db.prepare(
      `SELECT s.kind AS kind,
              CASE WHEN s.kind = 'image' THEN s.mpp_x ELSE coalesce(g.target_mpp, s.mpp_x) END AS mpp,
              g.tile_size AS tileSize, p.name AS patchSet, count(*) AS tiles
       FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       LEFT JOIN patch_sets p ON p.id = s.patch_set_id
       WHERE l.task_id = ?
       GROUP BY 1, 2, 3, 4
       ORDER BY 2, 4`,
    );
  }

  forTask(taskId: number): LabelResolution[] {
    return this.byTask.all(taskId);
  }
}
