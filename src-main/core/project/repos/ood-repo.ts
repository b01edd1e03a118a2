import type Database from 'better-sqlite3';
import { deserializeOodReference, serializeOodReference, type OodReference } from '../../heads/ood-reference';

/** The heads' out-of-distribution references and the per-tile scores of their predictions (migration 004). */
export class OodRepo {
  private readonly insertScore: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertScore = db.prepare('INSERT OR REPLACE INTO prediction_ood (head_id, tile_id, percentile) VALUES (?, ?, ?)');
  }

  saveReference(headId: number, reference: OodReference): void {
    this.db.prepare('INSERT OR REPLACE INTO head_ood_references (head_id, reference) VALUES (?, ?)').run(headId, serializeOodReference(reference));
  }

  /** The head's reference, or null for heads trained before OOD scores existed. */
  reference(headId: number): OodReference | null {
    const row = this.db.prepare('SELECT reference FROM head_ood_references WHERE head_id = ?').get(headId) as { reference: Buffer } | undefined;
    return row ? deserializeOodReference(row.reference) : null;
  }

  /** Stores scores (call inside the transaction that stores the tiles' predictions). */
  saveScores(headId: number, tileIds: ArrayLike<number>, percentiles: Float32Array): void {
    for (let i = 0; i < percentiles.length; i++) this.insertScore.run(headId, tileIds[i]!, Math.min(100, Math.max(0, percentiles[i]!)));
  }

  /** Scores of the given tiles by tile id (tiles without a score are absent). */
  scores(headId: number, tileIds: readonly number[]): Map<number, number> {
    const out = new Map<number, number>();
    const select = this.db.prepare('SELECT percentile FROM prediction_ood WHERE head_id = ? AND tile_id = ?');
    for (const tileId of tileIds) {
      const row = select.get(headId, tileId) as { percentile: number } | undefined;
      if (row) out.set(tileId, row.percentile);
    }
    return out;
  }

  /** Every score of a head, for maps and reports: tile id -> percentile. */
  allScores(headId: number): Map<number, number> {
    const rows = this.db.prepare('SELECT tile_id AS tileId, percentile FROM prediction_ood WHERE head_id = ?').all(headId) as Array<{ tileId: number; percentile: number }>;
    return new Map(rows.map((r) => [r.tileId, r.percentile]));
  }
}
