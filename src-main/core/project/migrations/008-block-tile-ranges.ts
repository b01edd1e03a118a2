import type Database from 'better-sqlite3';

/**
 * Block tile ranges (issue 15): a small table beside the vector blocks holds each block's first and
 * last tile id, its count and how many of its slots the index no longer lists. A scan orders a
 * backbone's blocks and knows whether every slot is still wanted from this table alone. Before, it
 * read every block's tile-id header (each on the block's own page: a page read per 32 vectors)
 * and counted the whole index, about 0.3 s per million vectors before the first vector.
 * The blocks themselves are not rewritten: a migration that added columns to them would copy every
 * vector once.
 */
export const blockTileRangesSchema = /* sql */ `
CREATE TABLE embedding_block_ranges (
  backbone_id  INTEGER NOT NULL,
  view         INTEGER NOT NULL,
  block_id     INTEGER NOT NULL,
  first_tile   INTEGER NOT NULL,
  last_tile    INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  dropped      INTEGER NOT NULL DEFAULT 0,  -- slots whose index row was deleted (a deleted tile)
  PRIMARY KEY (backbone_id, view, block_id)
) STRICT, WITHOUT ROWID;

-- Kept by triggers, so every way a slot or a block goes (tile, slide or backbone deleted) is counted.
CREATE TRIGGER embeddings_count_dropped_slot AFTER DELETE ON embeddings
BEGIN
  UPDATE embedding_block_ranges SET dropped = dropped + 1
    WHERE backbone_id = OLD.backbone_id AND view = OLD.view AND block_id = OLD.block_id;
END;
CREATE TRIGGER embedding_blocks_drop_range AFTER DELETE ON embedding_blocks
BEGIN
  DELETE FROM embedding_block_ranges WHERE backbone_id = OLD.backbone_id AND view = OLD.view AND block_id = OLD.id;
END;
`;

/**
 * Records the ranges of the blocks already stored, from their tile-id headers and the index. A
 * block whose tile ids do not ascend gets no range: scans then read its header, as before.
 */
export function fillBlockTileRanges(db: Database.Database): void {
  const add = db.prepare(
    `INSERT INTO embedding_block_ranges (backbone_id, view, block_id, first_tile, last_tile, count, dropped)
     VALUES (?, ?, ?, ?, ?, ?, ? - (SELECT count(*) FROM embeddings WHERE block_id = ?))`,
  );
  const blocks = db.prepare('SELECT id, backbone_id, view, count, tile_ids FROM embedding_blocks').raw().all() as Array<[number, number, number, number, Buffer]>;
  for (const [id, backbone, view, count, bytes] of blocks) {
    const tileIds = Array.from({ length: bytes.byteLength >>> 2 }, (_, i) => bytes.readInt32LE(i * 4));
    if (tileIds.length !== count || tileIds.some((tileId, i) => i > 0 && tileId <= tileIds[i - 1]!)) continue;
    add.run(backbone, view, id, tileIds[0], tileIds.at(-1), count, count, id);
  }
}
