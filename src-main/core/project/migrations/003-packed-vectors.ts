import type Database from 'better-sqlite3';
import { bytesPerValue, type VectorDtype } from '../../embeddings/vector-codec';

/**
 * Vectors stored for scanning (issue 15): a backbone's vectors of one view live in packed blocks
 * (`count` vectors back to back in one BLOB, with their tile ids as int32), so loading millions of
 * them reads a few large BLOBs instead of a row per tile. `embeddings` stays as the per-tile index
 * (what is stored, and where: block and slot) that resumable extraction, search filters and joins
 * use; it no longer holds the bytes, so nothing is stored twice.
 */
export const packedVectorsSchema = /* sql */ `
ALTER TABLE embeddings RENAME TO embeddings_v2;

CREATE TABLE embedding_blocks (
  id           INTEGER PRIMARY KEY,
  backbone_id  INTEGER NOT NULL REFERENCES backbones(id) ON DELETE CASCADE,
  view         INTEGER NOT NULL,
  dtype        TEXT NOT NULL CHECK (dtype IN ('float32', 'float16')),
  count        INTEGER NOT NULL CHECK (count > 0),
  tile_ids     BLOB NOT NULL,  -- count little-endian int32, before the vectors so headers read without them
  vectors      BLOB NOT NULL   -- count x dim little-endian values of dtype
) STRICT;
CREATE INDEX embedding_blocks_backbone_view ON embedding_blocks (backbone_id, view);

CREATE TABLE embeddings (
  backbone_id  INTEGER NOT NULL REFERENCES backbones(id) ON DELETE CASCADE,
  tile_id      INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  view         INTEGER NOT NULL DEFAULT 0,
  view_name    TEXT NOT NULL DEFAULT 'original',
  block_id     INTEGER NOT NULL,
  slot         INTEGER NOT NULL CHECK (slot >= 0),
  PRIMARY KEY (backbone_id, tile_id, view)
) STRICT, WITHOUT ROWID;
CREATE INDEX embeddings_tile ON embeddings (tile_id);
CREATE INDEX embeddings_block ON embeddings (block_id);

-- A block goes when its last index row goes (tiles deleted, vectors dropped): bytes nobody can
-- reach are never kept. Slots of a block that is still in use stay until the block goes.
CREATE TRIGGER embeddings_drop_empty_block AFTER DELETE ON embeddings
  WHEN NOT EXISTS (SELECT 1 FROM embeddings WHERE block_id = OLD.block_id)
BEGIN
  DELETE FROM embedding_blocks WHERE id = OLD.block_id;
END;
`;

/** Vectors per block when old rows are packed: 256 x 1024-d float16 is a 512 KiB BLOB. */
const MIGRATED_BLOCK_VECTORS = 256;

/** Packs the per-tile rows of schema 2 into blocks, in tile order, then drops the old table. */
export function packOldVectors(db: Database.Database): void {
  const dims = new Map((db.prepare('SELECT id, dim FROM backbones').all() as Array<{ id: number; dim: number }>).map((b) => [b.id, b.dim]));
  const groups = db.prepare('SELECT DISTINCT backbone_id AS backbone, view, dtype FROM embeddings_v2').all() as Array<{ backbone: number; view: number; dtype: VectorDtype }>;
  const rows = db.prepare('SELECT tile_id, view_name, vector FROM embeddings_v2 WHERE backbone_id = ? AND view = ? AND dtype = ? ORDER BY tile_id').raw();
  const addBlock = db.prepare('INSERT INTO embedding_blocks (backbone_id, view, dtype, count, tile_ids, vectors) VALUES (?, ?, ?, ?, ?, ?)');
  const addIndex = db.prepare('INSERT INTO embeddings (backbone_id, tile_id, view, view_name, block_id, slot) VALUES (?, ?, ?, ?, ?, ?)');
  for (const { backbone, view, dtype } of groups) {
    const bytes = (dims.get(backbone) ?? 0) * bytesPerValue(dtype);
    let pending: Array<[number, string, Buffer]> = [];
    const flush = () => {
      if (pending.length === 0) return;
      const tileIds = Buffer.from(Int32Array.from(pending, (r) => r[0]).buffer);
      const blockId = Number(addBlock.run(backbone, view, dtype, pending.length, tileIds, Buffer.concat(pending.map((r) => r[2]))).lastInsertRowid);
      pending.forEach(([tileId, viewName], slot) => addIndex.run(backbone, tileId, view, viewName, blockId, slot));
      pending = [];
    };
    for (const row of rows.iterate(backbone, view, dtype) as IterableIterator<[number, string, Buffer]>) {
      if (row[2].byteLength !== bytes) throw new Error(`stored vector of tile ${row[0]} (backbone ${backbone}) has ${row[2].byteLength} bytes, expected ${bytes}`);
      pending.push(row);
      if (pending.length === MIGRATED_BLOCK_VECTORS) flush();
    }
    flush();
  }
  db.exec('DROP TABLE embeddings_v2');
}
