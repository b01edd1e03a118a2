import type Database from 'better-sqlite3';

/** Where one labelled tile of a task comes from: a slide (or loose image), or an image of a patch set. */
export interface LabelledSource {
  tileId: number;
  className: string;
  slideId: number;
  path: string;
  patchSetId: number | null;
  patchSetName: string | null;
  patchSetRoot: string | null;
}

/** The sources of a task's labelled tiles, which Compare groups into bootstrap and fold units. */
export class ComparisonUnitsRepo {
  private readonly sources: Database.Statement<[number], LabelledSource>;

  constructor(db: Database.Database) {
    this.sources = db.prepare(
      `SELECT l.tile_id AS tileId, l.class_name AS className, s.id AS slideId, s.path AS path,
              s.patch_set_id AS patchSetId, p.name AS patchSetName, p.root_path AS patchSetRoot
       FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       LEFT JOIN patch_sets p ON p.id = s.patch_set_id
       WHERE l.task_id = ? ORDER BY l.tile_id`,
    );
  }

  labelledSources(taskId: number): LabelledSource[] {
    return this.sources.all(taskId);
  }
}
