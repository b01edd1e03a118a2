import type Database from 'better-sqlite3';
import type { AnnotationKind } from '../../../../src-shared/contract';
import type { Polygon } from '../../../../src-shared/domain/polygon-geometry';

export interface StoredAnnotation {
  id: number;
  taskId: number;
  slideId: number;
  className: string;
  kind: AnnotationKind;
  polygons: Polygon[];
  author: string | null;
  tiles: number;
  createdAt: string;
  updatedAt: string;
}

interface AnnotationRow {
  id: number;
  taskId: number;
  slideId: number;
  className: string;
  kind: AnnotationKind;
  polygonsJson: string;
  author: string | null;
  tiles: number;
  createdAt: string;
  updatedAt: string;
}

export interface LabelledTileRow {
  x: number;
  y: number;
  width: number;
  height: number;
  className: string;
  source: string;
}

const SELECT = `SELECT a.id, a.task_id AS taskId, a.slide_id AS slideId, a.class_name AS className, a.kind, a.polygons_json AS polygonsJson,
  a.author, a.created_at AS createdAt, a.updated_at AS updatedAt, (SELECT count(*) FROM annotation_tiles t WHERE t.annotation_id = a.id) AS tiles
  FROM annotations a`;

const fromRow = ({ polygonsJson, ...row }: AnnotationRow): StoredAnnotation => ({ ...row, polygons: JSON.parse(polygonsJson) as Polygon[] });

/**
 * The annotations table and, beside it, annotation_tiles (which tiles each annotation labelled).
 * It also removes viewer labels an annotation gave: that one statement on the labels table lives
 * here because only annotations decide it.
 */
export class AnnotationsRepo {
  private readonly byId: Database.Statement<[number], AnnotationRow>;
  private readonly ofSlide: Database.Statement<[number, number], AnnotationRow>;
  private readonly insertAnnotation: Database.Statement;
  private readonly updateAnnotation: Database.Statement;
  private readonly deleteAnnotation: Database.Statement;
  private readonly insertTile: Database.Statement;
  private readonly clearTiles: Database.Statement;
  private readonly tileIds: Database.Statement<[number], { tileId: number }>;
  private readonly latestCovering: Database.Statement<[number, number, number], { className: string }>;
  private readonly deleteViewerLabel: Database.Statement;
  private readonly labelsOnSlide: Database.Statement<[number, number], LabelledTileRow>;

  constructor(db: Database.Database) {
    this.byId = db.prepare(`${SELECT} WHERE a.id = ?`);
    this.ofSlide = db.prepare(`${SELECT} WHERE a.task_id = ? AND a.slide_id = ? ORDER BY a.id`);
    this.insertAnnotation = db.prepare(
      'INSERT INTO annotations (task_id, slide_id, class_name, kind, polygons_json, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateAnnotation = db.prepare('UPDATE annotations SET class_name = ?, polygons_json = ?, updated_at = ? WHERE id = ?');
    this.deleteAnnotation = db.prepare('DELETE FROM annotations WHERE id = ?');
    this.insertTile = db.prepare('INSERT OR IGNORE INTO annotation_tiles (annotation_id, tile_id) VALUES (?, ?)');
    this.clearTiles = db.prepare('DELETE FROM annotation_tiles WHERE annotation_id = ?');
    this.tileIds = db.prepare('SELECT tile_id AS tileId FROM annotation_tiles WHERE annotation_id = ?');
    this.latestCovering = db.prepare(
      `SELECT a.class_name AS className FROM annotation_tiles t JOIN annotations a ON a.id = t.annotation_id
       WHERE t.tile_id = ? AND a.task_id = ? AND a.id != ? ORDER BY a.updated_at DESC, a.id DESC LIMIT 1`,
    );
    this.deleteViewerLabel = db.prepare("DELETE FROM labels WHERE task_id = ? AND tile_id = ? AND source = 'viewer'");
    this.labelsOnSlide = db.prepare(
      `SELECT t.x, t.y, t.width, t.height, l.class_name AS className, l.source FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id
       WHERE l.task_id = ? AND g.slide_id = ? ORDER BY t.y, t.x`,
    );
  }

  get(id: number): StoredAnnotation | undefined {
    const row = this.byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  list(taskId: number, slideId: number): StoredAnnotation[] {
    return this.ofSlide.all(taskId, slideId).map(fromRow);
  }

  insert(annotation: { taskId: number; slideId: number; className: string; kind: AnnotationKind; polygons: Polygon[]; author: string | null }): number {
    const now = new Date().toISOString();
    const { lastInsertRowid } = this.insertAnnotation.run(
      annotation.taskId,
      annotation.slideId,
      annotation.className,
      annotation.kind,
      JSON.stringify(annotation.polygons),
      annotation.author,
      now,
      now,
    );
    return Number(lastInsertRowid);
  }

  update(id: number, className: string, polygons: Polygon[]): void {
    this.updateAnnotation.run(className, JSON.stringify(polygons), new Date().toISOString(), id);
  }

  delete(id: number): void {
    this.deleteAnnotation.run(id);
  }

  /** Replaces the tiles an annotation labels. */
  setTiles(id: number, tileIds: readonly number[]): void {
    this.clearTiles.run(id);
    for (const tileId of tileIds) this.insertTile.run(id, tileId);
  }

  tilesOf(id: number): number[] {
    return this.tileIds.all(id).map((row) => row.tileId);
  }

  /** The class of the most recently drawn other annotation of the task that covers the tile. */
  coveringClass(taskId: number, tileId: number, exceptAnnotation: number): string | undefined {
    return this.latestCovering.get(tileId, taskId, exceptAnnotation)?.className;
  }

  /** The task's labelled tiles on one slide, for the viewer to draw. */
  labelledTiles(taskId: number, slideId: number): LabelledTileRow[] {
    return this.labelsOnSlide.all(taskId, slideId);
  }

  /** Removes a tile's label in the task if it came from the viewer (an import or review keeps its own). */
  removeViewerLabel(taskId: number, tileId: number): boolean {
    return this.deleteViewerLabel.run(taskId, tileId).changes > 0;
  }
}
