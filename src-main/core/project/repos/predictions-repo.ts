import type Database from 'better-sqlite3';

/** Rows per INSERT statement: one statement per tile costs more than the row itself. */
const ROWS_PER_STATEMENT = 128;

/** Per-tile class probabilities of a head: little-endian float32 BLOBs, `k` per tile. */
export class PredictionsRepo {
  private inserts: { many: Database.Statement; one: Database.Statement } | null = null;

  constructor(private readonly db: Database.Database) {}

  /** The INSERTs, prepared on first write: most users of the repo only read. */
  private insertStatements(): { many: Database.Statement; one: Database.Statement } {
    if (!this.inserts) {
      const values = Array.from({ length: ROWS_PER_STATEMENT }, () => '(?, ?, ?)').join(', ');
      this.inserts = {
        many: this.db.prepare(`INSERT OR REPLACE INTO predictions (head_id, tile_id, probs) VALUES ${values}`),
        one: this.db.prepare('INSERT OR REPLACE INTO predictions (head_id, tile_id, probs) VALUES (?, ?, ?)'),
      };
    }
    return this.inserts;
  }

  /** Stores (or replaces) the probabilities of `tileIds` (row i of `probs`, n x k) in one transaction. */
  writeMany(headId: number, tileIds: Int32Array, probs: Float32Array, k: number): void {
    // One copy of all probabilities; each BLOB is a slice of it (better-sqlite3 copies it into SQLite).
    const bytes = Buffer.from(probs.buffer, probs.byteOffset, tileIds.length * k * 4);
    const blob = (i: number) => bytes.subarray(i * k * 4, (i + 1) * k * 4);
    const { many, one } = this.insertStatements();
    this.db.transaction(() => {
      let i = 0;
      const params: unknown[] = new Array(ROWS_PER_STATEMENT * 3);
      for (; i + ROWS_PER_STATEMENT <= tileIds.length; i += ROWS_PER_STATEMENT) {
        for (let r = 0; r < ROWS_PER_STATEMENT; r++) {
          params[r * 3] = headId;
          params[r * 3 + 1] = tileIds[i + r];
          params[r * 3 + 2] = blob(i + r);
        }
        many.run(params);
      }
      for (; i < tileIds.length; i++) one.run(headId, tileIds[i], blob(i));
    })();
  }

  /** A head's stored probabilities over one slide with each tile's box, in reading order. */
  slideTiles(headId: number, slideId: number): Array<{ tileId: number; x: number; y: number; width: number; height: number; probs: Buffer }> {
    return this.db
      .prepare(
        `SELECT t.id AS tileId, t.x, t.y, t.width, t.height, p.probs FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id
         WHERE p.head_id = ? AND g.slide_id = ? ORDER BY t.y, t.x`,
      )
      .all(headId, slideId) as Array<{ tileId: number; x: number; y: number; width: number; height: number; probs: Buffer }>;
  }

  /** Slides with stored probabilities of a head, by id. */
  predictedSlides(headId: number): Array<{ id: number; path: string; width: number; height: number; mppX: number | null; mppY: number | null }> {
    return this.db
      .prepare(
        `SELECT DISTINCT s.id, s.path, s.width, s.height, s.mpp_x AS mppX, s.mpp_y AS mppY FROM predictions p JOIN tiles t ON t.id = p.tile_id
         JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE p.head_id = ? ORDER BY s.id`,
      )
      .all(headId) as Array<{ id: number; path: string; width: number; height: number; mppX: number | null; mppY: number | null }>;
  }

  countOfHead(headId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM predictions WHERE head_id = ?').get(headId) as { n: number }).n;
  }

  /** [tileId, probabilities BLOB] of every tile a head predicted, streamed. */
  iterateOfHead(headId: number): IterableIterator<[number, Buffer]> {
    return this.db.prepare('SELECT tile_id, probs FROM predictions WHERE head_id = ?').raw().iterate(headId) as IterableIterator<[number, Buffer]>;
  }

  /** A reusable lookup of a head's whole prediction rows over one tiling, streamed, as any schema version (a shard's) stores them. */
  static rowsOfTilingLookup(db: Database.Database): (tilingId: number, headId: number) => IterableIterator<Record<string, unknown>> {
    const statement = db.prepare('SELECT p.* FROM predictions p JOIN tiles t ON t.id = p.tile_id WHERE t.tiling_id = ? AND p.head_id = ?');
    return (tilingId, headId) => statement.iterate(tilingId, headId) as IterableIterator<Record<string, unknown>>;
  }

  /** The probabilities BLOB of one tile, or undefined when the head did not predict it. */
  probsOf(headId: number, tileId: number): Buffer | undefined {
    return (this.db.prepare('SELECT probs FROM predictions WHERE head_id = ? AND tile_id = ?').get(headId, tileId) as { probs: Buffer } | undefined)?.probs;
  }
}
