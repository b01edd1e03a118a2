import type Database from 'better-sqlite3';

export type LabelSource = 'import' | 'viewer' | 'review' | 'search' | 'map';

export interface NewLabel {
  tileId: number;
  className: string;
}

export interface LabelCounts {
  perClass: Record<string, number>;
  perSlide: Array<{ slideId: number; path: string; counts: Record<string, number> }>;
}

/** A labelled tile with its slide; `meta` is the slide's metadata JSON (grouping columns). */
export interface LabelledTile {
  tileId: number;
  className: string;
  slideId: number;
  meta: string;
}

export class LabelsRepo {
  constructor(private readonly db: Database.Database) {}

  /** Writes labels (a later label of the same tile replaces the earlier one); call inside a transaction. */
  upsertMany(taskId: number, labels: readonly NewLabel[], source: LabelSource, author: string | null): void {
    const statement = this.db.prepare(
      `INSERT INTO labels (task_id, tile_id, class_name, source, author, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (task_id, tile_id) DO UPDATE SET class_name = excluded.class_name, source = excluded.source, author = excluded.author, created_at = excluded.created_at`,
    );
    const now = new Date().toISOString();
    for (const label of labels) statement.run(taskId, label.tileId, label.className, source, author, now);
  }

  /** Every labelled tile of a task with its slide and the slide's metadata JSON, in tile order. */
  labelledTiles(taskId: number): LabelledTile[] {
    return this.db
      .prepare(
        `SELECT l.tile_id AS tileId, l.class_name AS className, g.slide_id AS slideId, s.meta_json AS meta
       FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       WHERE l.task_id = ? ORDER BY l.tile_id`,
      )
      .all(taskId) as LabelledTile[];
  }

  counts(taskId: number): LabelCounts {
    const rows = this.db
      .prepare(
        `SELECT s.id AS slideId, s.path AS path, l.class_name AS className, count(*) AS n
         FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
         WHERE l.task_id = ? GROUP BY s.id, l.class_name ORDER BY s.id`,
      )
      .all(taskId) as Array<{ slideId: number; path: string; className: string; n: number }>;
    const perClass: Record<string, number> = {};
    const perSlide = new Map<number, { slideId: number; path: string; counts: Record<string, number> }>();
    for (const r of rows) {
      perClass[r.className] = (perClass[r.className] ?? 0) + r.n;
      const slide = perSlide.get(r.slideId) ?? { slideId: r.slideId, path: r.path, counts: {} };
      slide.counts[r.className] = r.n;
      perSlide.set(r.slideId, slide);
    }
    return { perClass, perSlide: [...perSlide.values()] };
  }

  /** Every label with its tile in level-0 pixels and its slide, for export. */
  all(taskId: number): Array<{ tileId: number; slideId: number; path: string; kind: string; x: number; y: number; width: number; height: number; className: string; source: string; author: string | null }> {
    return this.db
      .prepare(
        `SELECT l.tile_id AS tileId, s.id AS slideId, s.path AS path, s.kind AS kind, t.x AS x, t.y AS y, t.width AS width, t.height AS height,
                l.class_name AS className, l.source AS source, l.author AS author
         FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
         WHERE l.task_id = ? ORDER BY s.id, t.y, t.x`,
      )
      .all(taskId) as ReturnType<LabelsRepo['all']>;
  }

  labelledTileIds(taskId: number): number[] {
    return (this.db.prepare('SELECT tile_id FROM labels WHERE task_id = ?').raw().all(taskId) as Array<[number]>).map((r) => r[0]);
  }

  /** [tileId, className] of every label of a task, streamed. */
  iterateClasses(taskId: number): IterableIterator<[number, string]> {
    return this.db.prepare('SELECT tile_id, class_name FROM labels WHERE task_id = ?').raw().iterate(taskId) as IterableIterator<[number, string]>;
  }

  /** The tiling most of a task's labelled slide tiles come from (patch images left out), or undefined without any. */
  mostLabelledTiling(taskId: number): { tileSize: number; mpp: number | null; level: number | null; minTissue: number } | undefined {
    return this.db
      .prepare(
        `SELECT g.tile_size AS tileSize, g.target_mpp AS mpp, g.level AS level, g.min_tissue AS minTissue, count(*) AS n
       FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       WHERE l.task_id = ? AND s.kind = 'slide' GROUP BY g.params_key ORDER BY n DESC LIMIT 1`,
      )
      .get(taskId) as { tileSize: number; mpp: number | null; level: number | null; minTissue: number } | undefined;
  }
}
