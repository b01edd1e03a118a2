import type Database from 'better-sqlite3';
import { recordAudit } from './audit-repo';
import type { ComputedMap } from '../../map/compute-map';

export interface StoredMap extends ComputedMap {
  backboneId: number;
  createdAt: string;
}

function bytesOf(array: Int32Array | Float32Array): Buffer {
  return Buffer.from(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
}

/** The 2-D map of each backbone's stored vectors (one per backbone: the latest computed). */
export class MapsRepo {
  constructor(private readonly db: Database.Database) {}

  /** Replaces a backbone's map. */
  save(backboneId: number, map: ComputedMap): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO embedding_maps (backbone_id, method, params_json, tile_count, tile_ids, coords, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (backbone_id) DO UPDATE SET method = excluded.method, params_json = excluded.params_json, tile_count = excluded.tile_count,
           tile_ids = excluded.tile_ids, coords = excluded.coords, seconds = excluded.seconds, created_at = excluded.created_at`,
        )
        .run(backboneId, map.method, JSON.stringify(map.params), map.tileIds.length, bytesOf(map.tileIds), bytesOf(map.coords), map.seconds, new Date().toISOString());
      recordAudit(this.db, 'map.compute', { backboneId, tiles: map.tileIds.length, method: map.method });
    })();
  }

  load(backboneId: number): StoredMap | null {
    const row = this.db.prepare('SELECT method, params_json, tile_ids, coords, seconds, created_at FROM embedding_maps WHERE backbone_id = ?').get(backboneId) as
      | { method: string; params_json: string; tile_ids: Buffer; coords: Buffer; seconds: number; created_at: string }
      | undefined;
    if (!row) return null;
    // Copied into fresh arrays: BLOB buffers may sit at unaligned offsets of a shared pool.
    const tileIds = new Int32Array(row.tile_ids.byteLength / 4);
    new Uint8Array(tileIds.buffer).set(row.tile_ids);
    const coords = new Float32Array(row.coords.byteLength / 4);
    new Uint8Array(coords.buffer).set(row.coords);
    return { backboneId, tileIds, coords, method: row.method, params: JSON.parse(row.params_json) as ComputedMap['params'], seconds: row.seconds, createdAt: row.created_at };
  }
}
