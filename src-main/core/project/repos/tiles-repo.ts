import type Database from 'better-sqlite3';
import type { GridTile } from '../../../../src-shared/domain/tiling';

/** A tile's rectangle in level-0 pixels. */
export interface TileRect {
  id: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A tile with what it takes to read its pixels again: its slide's path and kind. */
export interface TileSource extends TileRect {
  tissue: number;
  path: string;
  kind: 'slide' | 'image';
}

/** Where a tile lies and, when a task is given, its latest label in that task (else in any task). */
export interface DescribedTile {
  tileId: number;
  slideId: number;
  source: string;
  x: number;
  y: number;
  width: number;
  height: number;
  label: string | null;
}

export interface StoredTile extends GridTile {
  id: number;
}

/** The tiles of every tiling. */
export class TilesRepo {
  constructor(private readonly db: Database.Database) {}

  /** Writes a tiling's tiles; TilingsRepo.create calls it inside the tiling's transaction. */
  insertMany(tilingId: number, tiles: readonly GridTile[]): void {
    const insertTile = this.db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (?, ?, ?, ?, ?, ?)');
    for (const t of tiles) insertTile.run(tilingId, t.x, t.y, t.width, t.height, t.tissue);
  }

  ofTiling(tilingId: number): StoredTile[] {
    return this.db.prepare('SELECT id, x, y, width, height, tissue FROM tiles WHERE tiling_id = ? ORDER BY id').all(tilingId) as StoredTile[];
  }

  /** A reusable existence check, for validating many tile ids. */
  existsCheck(): (tileId: number) => boolean {
    const exists = this.db.prepare('SELECT 1 FROM tiles WHERE id = ?');
    return (tileId) => exists.get(tileId) !== undefined;
  }

  exists(tileId: number): boolean {
    return this.existsCheck()(tileId);
  }

  /** Every tile of a slide, over all its tilings. */
  rectsOfSlide(slideId: number): TileRect[] {
    return this.db.prepare('SELECT t.id, t.x, t.y, t.width, t.height FROM tiles t JOIN tilings g ON g.id = t.tiling_id WHERE g.slide_id = ?').all(slideId) as TileRect[];
  }

  idsOfSlides(slideIds: readonly number[]): number[] {
    const placeholders = slideIds.map(() => '?').join(',');
    return (this.db.prepare(`SELECT t.id FROM tiles t JOIN tilings g ON g.id = t.tiling_id WHERE g.slide_id IN (${placeholders})`).raw().all(...slideIds) as Array<[number]>).map((r) => r[0]);
  }

  /** [tileId, slideId] of every tile, streamed. */
  iterateSlideOfTiles(): IterableIterator<[number, number]> {
    return this.db.prepare('SELECT t.id, g.slide_id FROM tiles t JOIN tilings g ON g.id = t.tiling_id').raw().iterate() as IterableIterator<[number, number]>;
  }

  /** A reusable lookup of a tile's slide file and position (level-0 pixels). */
  placeLookup(): (tileId: number) => { source: string; x: number; y: number } | undefined {
    const tile = this.db.prepare('SELECT s.path AS source, t.x, t.y FROM tiles t JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE t.id = ?');
    return (tileId) => tile.get(tileId) as { source: string; x: number; y: number } | undefined;
  }

  /** A reusable lookup of a tile with its slide's path and kind. */
  sourceLookup(): (tileId: number) => TileSource {
    const tile = this.db.prepare('SELECT t.id, t.x, t.y, t.width, t.height, t.tissue, s.path, s.kind FROM tiles t JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE t.id = ?');
    return (tileId) => tile.get(tileId) as TileSource;
  }

  /**
   * Given tiles with their slides' path and kind, in slide then tile order; ids that are no tile are
   * left out. The ids go through a temporary table: a list of any length, no limit on bound parameters.
   */
  sourcesOf(tileIds: readonly number[]): TileSource[] {
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS wanted_tiles (tile_id INTEGER PRIMARY KEY)');
    this.db.exec('DELETE FROM wanted_tiles');
    const add = this.db.prepare('INSERT OR IGNORE INTO wanted_tiles VALUES (?)');
    this.db.transaction(() => tileIds.forEach((id) => add.run(id)))();
    return this.db
      .prepare(
        `SELECT t.id, t.x, t.y, t.width, t.height, t.tissue, s.path AS path, s.kind AS kind
       FROM wanted_tiles w JOIN tiles t ON t.id = w.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       ORDER BY s.id, t.id`,
      )
      .all() as TileSource[];
  }

  /** A reusable lookup of the rectangles of a tiling's tiles. */
  rectsOfTilingLookup(): (tilingId: number) => TileRect[] {
    const statement = this.db.prepare('SELECT id, x, y, width, height FROM tiles WHERE tiling_id = ?');
    return (tilingId) => statement.all(tilingId) as TileRect[];
  }

  /** A reusable lookup of a tiling's whole rows, in id order, as any schema version (a shard's) stores them. */
  static rowsOfTilingLookup(db: Database.Database): (tilingId: number) => Array<Record<string, unknown>> {
    const statement = db.prepare('SELECT * FROM tiles WHERE tiling_id = ? ORDER BY id');
    return (tilingId) => statement.all(tilingId) as Array<Record<string, unknown>>;
  }

  /** A reusable lookup of a tile's slide, position and latest label (see DescribedTile). */
  describeLookup(): (tileId: number, taskId: number | null) => DescribedTile | undefined {
    const statement = this.db.prepare(
      `SELECT t.id AS tileId, g.slide_id AS slideId, s.path AS source, t.x, t.y, t.width, t.height,
            (SELECT l.class_name FROM labels l WHERE l.tile_id = t.id AND (? IS NULL OR l.task_id = ?) ORDER BY l.created_at DESC, l.id DESC LIMIT 1) AS label
     FROM tiles t JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE t.id = ?`,
    );
    return (tileId, taskId) => statement.get(taskId, taskId, tileId) as DescribedTile | undefined;
  }
}
