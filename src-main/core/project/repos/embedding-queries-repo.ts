import type Database from 'better-sqlite3';

/**
 * Reads of the embeddings table by the map, the backbone comparison, project statistics and
 * search. Kept apart from embeddings-repo.ts while #15 rewrites that file and the vector storage;
 * fold them together once it has landed.
 */
export class EmbeddingQueriesRepo {
  constructor(private readonly db: Database.Database) {}

  /** [tileId, slideId] of every tile with a stored vector of this backbone and view, in tile order. */
  tilesAndSlides(backboneId: number, view: number): Array<[number, number]> {
    return this.db
      .prepare(`SELECT e.tile_id, g.slide_id FROM embeddings e JOIN tiles t ON t.id = e.tile_id JOIN tilings g ON g.id = t.tiling_id WHERE e.backbone_id = ? AND e.view = ? ORDER BY e.tile_id`)
      .raw()
      .all(backboneId, view) as Array<[number, number]>;
  }



  /** Embedded tiles of whole slides (not patch images) in grid order, at most 20 000: neighbours in a row sit next to each other. */
  slideTilesInGridOrder(backboneId: number): Array<{ id: number; tiling: number; x: number; y: number }> {
    return this.db
      .prepare(
        `SELECT t.id, t.tiling_id AS tiling, t.x, t.y FROM embeddings e JOIN tiles t ON t.id = e.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       WHERE e.backbone_id = ? AND e.view = 0 AND s.kind = 'slide' ORDER BY t.tiling_id, t.y, t.x LIMIT 20000`,
      )
      .all(backboneId) as Array<{ id: number; tiling: number; x: number; y: number }>;
  }


  has(tileId: number, backboneId: number, view: number): boolean {
    return this.db.prepare('SELECT 1 FROM embeddings WHERE tile_id = ? AND backbone_id = ? AND view = ?').get(tileId, backboneId, view) !== undefined;
  }

  /** Tiles of a slide overlapping a rectangle (level-0 pixels) that have a vector of this backbone and view. */
  tilesInRegion(backboneId: number, view: number, slideId: number, x: number, y: number, width: number, height: number): number[] {
    return (
      this.db
        .prepare(
          `SELECT t.id FROM tiles t JOIN tilings g ON g.id = t.tiling_id JOIN embeddings e ON e.tile_id = t.id AND e.backbone_id = ? AND e.view = ?
         WHERE g.slide_id = ? AND t.x < ? AND t.x + t.width > ? AND t.y < ? AND t.y + t.height > ? ORDER BY t.id`,
        )
        .raw()
        .all(backboneId, view, slideId, x + width, x, y + height, y) as Array<[number]>
    ).map((r) => r[0]);
  }
}
