import type Database from 'better-sqlite3';

/** One label as the label table lists it. */
export interface LabelTableRow {
  tileId: number;
  slideId: number;
  path: string;
  className: string;
  source: string;
  createdAt: string;
  author: string | null;
  x: number;
  y: number;
}

/** Every label of a task with its slide and tile position, for the virtualised label table (issue 14). */
export class LabelTableRepo {
  private readonly rowsOfTask: Database.Statement<[number], LabelTableRow>;

  constructor(db: Database.Database) {
    this.rowsOfTask = db.prepare<[number], LabelTableRow>(
      `SELECT l.tile_id AS tileId, s.id AS slideId, s.path AS path, l.class_name AS className, l.source AS source,
              l.created_at AS createdAt, l.author AS author, t.x AS x, t.y AS y
       FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       WHERE l.task_id = ? ORDER BY l.id`,
    );
  }

  /** Streamed, so 100,000 labels never sit in memory twice. */
  iterate(taskId: number): IterableIterator<LabelTableRow> {
    return this.rowsOfTask.iterate(taskId);
  }
}
