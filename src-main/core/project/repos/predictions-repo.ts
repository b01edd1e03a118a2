import type Database from 'better-sqlite3';

/**
 * Reads of stored predictions (probabilities per head and tile) by the map, search, review and
 * merge. Writing them stays with prediction/stored-predictions.ts until #15's storage lands.
 */
export class PredictionsRepo {
  constructor(private readonly db: Database.Database) {}

  countOfHead(headId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM predictions WHERE head_id = ?').get(headId) as { n: number }).n;
  }

  /** [tileId, probabilities BLOB] of every tile a head predicted, streamed. */
  iterateOfHead(headId: number): IterableIterator<[number, Buffer]> {
    return this.db.prepare('SELECT tile_id, probs FROM predictions WHERE head_id = ?').raw().iterate(headId) as IterableIterator<[number, Buffer]>;
  }

  /** The probabilities BLOB of one tile, or undefined when the head did not predict it. */
  probsOf(headId: number, tileId: number): Buffer | undefined {
    return (this.db.prepare('SELECT probs FROM predictions WHERE head_id = ? AND tile_id = ?').get(headId, tileId) as { probs: Buffer } | undefined)?.probs;
  }
}
