import type Database from 'better-sqlite3';
import { decodeVectorInto, encodeVector, type VectorDtype } from '../../embeddings/vector-codec';

export interface EmbeddingRow {
  tileId: number;
  view: number;
  viewName: string;
  /** A view of the batch output; encoded (copied) on insert. */
  vector: Float32Array;
}

/** A contiguous matrix of stored vectors: row i is the embedding of tileIds[i] (and views[i]). */
export interface EmbeddingMatrix {
  dim: number;
  count: number;
  tileIds: Int32Array;
  views: Int32Array;
  vectors: Float32Array;
}

export class EmbeddingsRepo {
  private readonly insert: Database.Statement;

  constructor(private readonly db: Database.Database) {
    // A row that already exists is kept: reruns after a crash must never duplicate.
    this.insert = db.prepare(
      `INSERT INTO embeddings (tile_id, backbone_id, view, view_name, dtype, vector) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (backbone_id, tile_id, view) DO NOTHING`,
    );
  }

  /** (tile, view) pairs of a tiling already embedded by a backbone, as "tileId:view". */
  existingKeys(backboneId: number, tilingId: number): Set<string> {
    const rows = this.db
      .prepare('SELECT e.tile_id AS tileId, e.view AS view FROM embeddings e JOIN tiles t ON t.id = e.tile_id WHERE e.backbone_id = ? AND t.tiling_id = ?')
      .all(backboneId, tilingId) as Array<{ tileId: number; view: number }>;
    return new Set(rows.map((r) => `${r.tileId}:${r.view}`));
  }

  /** Writes one batch in one transaction; returns how many rows were new (another process may have stored some). */
  insertBatch(backboneId: number, dtype: VectorDtype, rows: readonly EmbeddingRow[]): number {
    return this.db.transaction(() => {
      let added = 0;
      for (const r of rows) added += this.insert.run(r.tileId, backboneId, r.view, r.viewName, dtype, encodeVector(r.vector, dtype)).changes;
      return added;
    })();
  }

  count(backboneId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM embeddings WHERE backbone_id = ?').get(backboneId) as { n: number }).n;
  }

  /**
   * Loads vectors of a backbone into one Float32Array, in tile order: every tile, or the given
   * tiles; one view, or all views when `view` is null.
   */
  loadMatrix(backboneId: number, dim: number, options: { view?: number | null; tileIds?: readonly number[] } = {}): EmbeddingMatrix {
    const view = options.view === undefined ? 0 : options.view;
    const viewClause = view === null ? '' : ' AND view = ?';
    const params: number[] = view === null ? [backboneId] : [backboneId, view];
    let sql = `SELECT tile_id, view, dtype, vector FROM embeddings WHERE backbone_id = ?${viewClause}`;
    if (options.tileIds) {
      this.db.exec('CREATE TEMP TABLE IF NOT EXISTS wanted_tiles (tile_id INTEGER PRIMARY KEY)');
      this.db.exec('DELETE FROM wanted_tiles');
      const add = this.db.prepare('INSERT OR IGNORE INTO wanted_tiles VALUES (?)');
      this.db.transaction(() => options.tileIds!.forEach((id) => add.run(id)))();
      sql += ' AND tile_id IN (SELECT tile_id FROM wanted_tiles)';
    }
    sql += ' ORDER BY tile_id, view';
    const countSql = sql.replace('SELECT tile_id, view, dtype, vector', 'SELECT count(*) AS n').replace(' ORDER BY tile_id, view', '');
    const count = (this.db.prepare(countSql).get(...params) as { n: number }).n;
    const vectors = new Float32Array(count * dim);
    const tileIds = new Int32Array(count);
    const views = new Int32Array(count);
    let i = 0;
    for (const row of this.db.prepare(sql).raw().iterate(...params) as IterableIterator<[number, number, VectorDtype, Buffer]>) {
      if (i >= count) break;
      tileIds[i] = row[0];
      views[i] = row[1];
      decodeVectorInto(row[3], row[2], dim, vectors, i * dim);
      i++;
    }
    return { dim, count: i, tileIds: tileIds.subarray(0, i), views: views.subarray(0, i), vectors: vectors.subarray(0, i * dim) };
  }
}
