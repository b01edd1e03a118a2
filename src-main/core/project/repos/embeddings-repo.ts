import type Database from 'better-sqlite3';
import { decodeBlocksInParallel } from '../../embeddings/parallel-block-decoder';
import { blockDecoder, bytesPerValue, decodeValuesInto, encodeRows, type VectorDtype } from '../../embeddings/vector-codec';

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

/** Part of a scan: `count` vectors (`count x dim` floats in a reused buffer) and their tiles. */
export interface VectorChunk {
  count: number;
  tileIds: Int32Array;
  vectors: Float32Array;
}

/** One vector as stored (dtype and bytes), with its key: what moves between projects. */
export interface EncodedVector {
  tileId: number;
  view: number;
  viewName: string;
  dtype: VectorDtype;
  bytes: Buffer;
}

/** One stored block as read: `count` vectors of the tiles `tileIds`, still encoded. */
export interface EncodedBlock {
  count: number;
  tileIds: Int32Array;
  dtype: VectorDtype;
  bytes: Buffer;
}

/** A stored block as its range row (embedding_block_ranges) gives it: no page of the block itself is read. */
interface BlockRange {
  id: number;
  count: number;
  /** Its first and last tile ids (its tile ids ascend inside it). */
  first: number;
  last: number;
  /** Its slots the index no longer lists (deleted tiles). */
  dropped: number;
}

/** Rows of the per-tile index, in tile order: where each wanted vector sits. */
interface Placement {
  tileIds: Int32Array;
  views: Int32Array;
  blocks: Int32Array;
  slots: Int32Array;
}

/** How a block's tile ids and vectors are read, by block id (helper threads run it on their own connections). */
const BLOCK_SQL = 'SELECT dtype, tile_ids, vectors FROM embedding_blocks WHERE id = ?';
/** A block's vectors alone, for reads that take their tiles from the index. */
const BLOCK_VECTORS_SQL = 'SELECT dtype, vectors FROM embedding_blocks WHERE id = ?';

/** Scans of fewer vectors stay on the calling thread: waking the helpers would cost more than it saves. */
export const PARALLEL_SCAN_FROM = 32_768;

function int32s(blob: Buffer): Int32Array {
  // Copied: a BLOB may sit at any offset of a shared pool.
  const out = new Int32Array(blob.byteLength >>> 2);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

/**
 * The vector store. A backbone's vectors of one view are kept in packed blocks (one batch of
 * extraction per block, tile ids ascending inside it) so a scan reads large BLOBs at disk speed;
 * `embeddings` indexes every stored (tile, view) with its block and slot. A block and its index
 * rows are written in one transaction, so a killed run leaves whole batches and resumes from them.
 */
export class EmbeddingsRepo {
  private readonly exists: Database.Statement;
  private readonly addBlock: Database.Statement;
  private readonly addIndex: Database.Statement;
  private readonly addRange: Database.Statement;
  private slots: BlockSlots | null = null;

  constructor(private readonly db: Database.Database) {
    this.exists = db.prepare('SELECT 1 FROM embeddings WHERE backbone_id = ? AND tile_id = ? AND view = ?').pluck();
    this.addBlock = db.prepare('INSERT INTO embedding_blocks (backbone_id, view, dtype, count, tile_ids, vectors) VALUES (?, ?, ?, ?, ?, ?)');
    this.addRange = db.prepare('INSERT INTO embedding_block_ranges (backbone_id, view, block_id, first_tile, last_tile, count) VALUES (?, ?, ?, ?, ?, ?)');
    this.addIndex = db.prepare('INSERT INTO embeddings (backbone_id, tile_id, view, view_name, block_id, slot) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** (tile, view) pairs of a tiling already embedded by a backbone, as "tileId:view". */
  existingKeys(backboneId: number, tilingId: number): Set<string> {
    const rows = this.db
      .prepare('SELECT e.tile_id AS tileId, e.view AS view FROM embeddings e JOIN tiles t ON t.id = e.tile_id WHERE e.backbone_id = ? AND t.tiling_id = ?')
      .all(backboneId, tilingId) as Array<{ tileId: number; view: number }>;
    return new Set(rows.map((r) => `${r.tileId}:${r.view}`));
  }

  /**
   * Writes one batch in one transaction, a block per view; returns how many vectors were new. A
   * (tile, view) already stored is kept as it is: another process may have stored it, and reruns
   * after a crash must never duplicate.
   */
  insertBatch(backboneId: number, dtype: VectorDtype, rows: readonly EmbeddingRow[]): number {
    return this.db.transaction(() => {
      const byView = new Map<number, EmbeddingRow[]>();
      const seen = new Set<string>();
      for (const r of rows) {
        const key = `${r.tileId}:${r.view}`;
        if (seen.has(key) || this.exists.get(backboneId, r.tileId, r.view) !== undefined) continue;
        seen.add(key);
        const group = byView.get(r.view);
        if (group) group.push(r);
        else byView.set(r.view, [r]);
      }
      let added = 0;
      for (const [view, fresh] of byView) {
        fresh.sort((a, b) => a.tileId - b.tileId);
        added += this.writeBlock(backboneId, view, dtype, fresh.map((r) => r.tileId), fresh.map((r) => r.viewName), encodeRows(fresh.map((r) => r.vector), dtype));
      }
      return added;
    })();
  }

  /** Stores one block of already-encoded vectors (tile ids ascending) with its index rows; call inside a transaction. */
  writeBlock(backboneId: number, view: number, dtype: VectorDtype, tileIds: readonly number[], viewNames: readonly string[], vectors: Buffer): number {
    if (tileIds.length === 0) return 0;
    for (let i = 1; i < tileIds.length; i++) {
      if (tileIds[i]! <= tileIds[i - 1]!) throw new Error(`a vector block's tile ids must ascend (${tileIds[i - 1]} then ${tileIds[i]})`);
    }
    const ids = Buffer.from(Int32Array.from(tileIds).buffer);
    const blockId = Number(this.addBlock.run(backboneId, view, dtype, tileIds.length, ids, vectors).lastInsertRowid);
    this.addRange.run(backboneId, view, blockId, tileIds[0], tileIds.at(-1), tileIds.length);
    tileIds.forEach((tileId, slot) => this.addIndex.run(backboneId, tileId, view, viewNames[slot], blockId, slot));
    return tileIds.length;
  }

  /** (tile, view) pairs stored for any of `tileIds` by a backbone, as "tileId:view". */
  storedKeysOf(backboneId: number, tileIds: readonly number[]): Set<string> {
    this.markWanted(tileIds);
    const rows = this.db.prepare('SELECT e.tile_id, e.view FROM wanted_tiles w CROSS JOIN embeddings e ON e.backbone_id = ? AND e.tile_id = w.tile_id').raw().all(backboneId) as Array<[number, number]>;
    return new Set(rows.map(([tileId, view]) => `${tileId}:${view}`));
  }

  /** Whether a backbone has any vector of a view. */
  hasAny(backboneId: number, view: number): boolean {
    return this.db.prepare('SELECT 1 FROM embeddings WHERE backbone_id = ? AND view = ? LIMIT 1').get(backboneId, view) !== undefined;
  }

  count(backboneId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM embeddings WHERE backbone_id = ?').get(backboneId) as { n: number }).n;
  }

  /** Grows whenever vectors are added anywhere in the project: caches of loaded vectors compare it. */
  stamp(): number {
    return (this.db.prepare('SELECT max(id) AS m FROM embedding_blocks').get() as { m: number | null }).m ?? 0;
  }

  /** Stored bytes per vector of a backbone (its dtype times its dimension), null without vectors. */
  bytesPerVector(backboneId: number): number | null {
    const row = this.db.prepare('SELECT sum(length(vectors)) AS bytes, sum(count) AS n FROM embedding_blocks WHERE backbone_id = ?').get(backboneId) as { bytes: number | null; n: number | null };
    return row.n ? row.bytes! / row.n : null;
  }

  /**
   * The blocks of a backbone's view from their range rows (a small table: no block page is read).
   * A block without one (written by other code) gets its range from its tile-id header; null when
   * such a header does not ascend.
   */
  private ranges(backboneId: number, view: number): BlockRange[] | null {
    const rows = this.db.prepare('SELECT block_id, count, first_tile, last_tile, dropped FROM embedding_block_ranges WHERE backbone_id = ? AND view = ?').raw().all(backboneId, view) as Array<[number, number, number, number, number]>;
    const blocks = rows.map(([id, count, first, last, dropped]): BlockRange => ({ id, count, first, last, dropped }));
    // The triggers drop a block's range with the block, so equal counts mean every block has its range.
    const stored = this.db.prepare('SELECT count(*) FROM embedding_blocks WHERE backbone_id = ? AND view = ?').pluck().get(backboneId, view) as number;
    if (stored === blocks.length) return blocks;
    const known = new Map(blocks.map((block) => [block.id, block]));
    const ids = this.db.prepare('SELECT id FROM embedding_blocks WHERE backbone_id = ? AND view = ?').pluck().all(backboneId, view) as number[];
    const header = this.db.prepare('SELECT count, tile_ids, count - (SELECT count(*) FROM embeddings WHERE block_id = ?) FROM embedding_blocks WHERE id = ?').raw();
    const all: BlockRange[] = [];
    for (const id of ids) {
      const range = known.get(id);
      if (range) {
        all.push(range);
        continue;
      }
      const [count, bytes, dropped] = header.get(id, id) as [number, Buffer, number];
      const tileIds = int32s(bytes);
      if (tileIds.length !== count || !tileIds.every((tileId, i) => i === 0 || tileId > tileIds[i - 1]!)) return null;
      all.push({ id, count, first: tileIds[0]!, last: tileIds.at(-1)!, dropped });
    }
    return all;
  }

  /**
   * Blocks in an order whose tile ids ascend throughout, or null when the blocks interleave (a
   * resumed or partial extraction) or hold slots the index no longer lists (a deleted tile).
   */
  private orderedBlocks(backboneId: number, view: number): BlockRange[] | null {
    const blocks = this.ranges(backboneId, view);
    if (!blocks) return null;
    blocks.sort((a, b) => a.first - b.first);
    let last = -Infinity;
    for (const block of blocks) {
      if (block.dropped > 0 || block.first <= last || block.last - block.first + 1 < block.count) return null;
      last = block.last;
    }
    return blocks;
  }

  private blockReader(): Database.Statement {
    return this.db.prepare(BLOCK_SQL).raw();
  }

  private vectorsReader(): Database.Statement {
    return this.db.prepare(BLOCK_VECTORS_SQL).raw();
  }

  /**
   * The blocks of a backbone's view in ascending tile order as stored (checked, not decoded), or
   * null when they interleave. What a scan reads before decoding: bench:scale times it apart.
   */
  encodedBlocks(backboneId: number, dim: number, view: number): Generator<EncodedBlock> | null {
    const ordered = this.orderedBlocks(backboneId, view);
    if (!ordered) return null;
    const read = this.blockReader();
    return (function* () {
      for (const block of ordered) yield readEncoded(read, block, dim);
    })();
  }

  /**
   * Streams a backbone's vectors of one view in ascending tile order, `chunk` at a time (a chunk's
   * buffers are reused: copy what you keep). Memory stays at one chunk whatever the store's size.
   * From `parallelFrom` vectors on, blocks are read and decoded on helper threads, one per core
   * (parallel-block-decoder.ts), with the same results.
   */
  *scan(backboneId: number, dim: number, view: number, chunkRows = 4096, parallelFrom = PARALLEL_SCAN_FROM): Generator<VectorChunk> {
    const ordered = this.orderedBlocks(backboneId, view);
    if (ordered) {
      yield* this.scanBlocks(ordered, dim, parallelFrom);
      return;
    }
    // Interleaved blocks, or slots of deleted tiles: gather each chunk of the index's tile order from the blocks that hold it.
    const placement = this.placement(backboneId, view, null);
    const vectors = new Float32Array(Math.min(chunkRows, placement.tileIds.length) * dim);
    for (let start = 0; start < placement.tileIds.length; start += chunkRows) {
      const end = Math.min(start + chunkRows, placement.tileIds.length);
      this.gatherInto(placement, start, end, dim, vectors);
      yield { count: end - start, tileIds: placement.tileIds.subarray(start, end), vectors: vectors.subarray(0, (end - start) * dim) };
    }
  }

  /** Blocks in tile order, read and decoded on the helper threads from `parallelFrom` vectors on, else on this thread. */
  private *scanBlocks(ordered: readonly BlockRange[], dim: number, parallelFrom = PARALLEL_SCAN_FROM): Generator<VectorChunk> {
    const read = this.blockReader();
    const decode = blockDecoder();
    const decodeOwn = (block: BlockRange) => {
      const encoded = readEncoded(read, block, dim);
      return { tileIds: encoded.tileIds, vectors: decode(encoded.bytes, encoded.dtype, encoded.count * dim) };
    };
    const total = ordered.reduce((n, block) => n + block.count, 0);
    const helped = total >= parallelFrom && !this.db.memory ? decodeBlocksInParallel(this.db.name, BLOCK_SQL, ordered, dim, (i) => decodeOwn(ordered[i]!)) : null;
    const onThisThread = function* () {
      for (const block of ordered) yield decodeOwn(block);
    };
    let i = 0;
    for (const { tileIds, vectors } of helped?.blocks ?? onThisThread()) {
      const block = ordered[i++]!;
      // Blocks read here were checked by readEncoded; a helper's copy is checked now.
      yield { count: block.count, tileIds: helped ? checkTileIds(tileIds, block) : tileIds, vectors };
    }
  }

  /**
   * Streams the stored vectors of `tileIds` (one view; tiles without one are skipped) block by
   * block in storage order, decoding whole blocks where every slot is wanted. Chunk buffers are
   * reused: copy what you keep. What prediction reads: no matrix of the whole set is ever held.
   */
  *scanTiles(backboneId: number, dim: number, view: number, tileIds: readonly number[]): Generator<VectorChunk> {
    // The tile ids go in as one JSON array: a temp table filled a row at a time cost twice the query.
    const rows = this.db
      .prepare('SELECT DISTINCT e.block_id, e.slot, e.tile_id FROM json_each(?) w CROSS JOIN embeddings e ON e.backbone_id = ? AND e.tile_id = w.value AND e.view = ? ORDER BY e.block_id, e.slot')
      .raw()
      .all(JSON.stringify(tileIds), backboneId, view) as Array<[number, number, number]>;
    const read = this.vectorsReader();
    const decodeBlock = blockDecoder();
    let vectors = new Float32Array(0);
    for (let start = 0; start < rows.length; ) {
      const blockId = rows[start]![0];
      let end = start;
      while (end < rows.length && rows[end]![0] === blockId) end++;
      const count = end - start;
      const [dtype, bytes] = read.get(blockId) as [VectorDtype, Buffer];
      const size = dim * bytesPerValue(dtype);
      if (bytes.byteLength === count * size) {
        // Every slot wanted (the usual case: slides are embedded block by block).
        yield { count, tileIds: Int32Array.from(rows.slice(start, end), (r) => r[2]), vectors: decodeBlock(bytes, dtype, count * dim) };
        start = end;
        continue;
      }
      if (vectors.length < count * dim) vectors = new Float32Array(count * dim);
      for (let i = 0; i < count; i++) {
        const at = rows[start + i]![1] * size;
        if (at + size > bytes.byteLength) throw new Error(`stored vector block ${blockId} has ${bytes.byteLength} bytes, too few for slot ${rows[start + i]![1]} of ${dim}-d ${dtype}`);
        decodeValuesInto(bytes.subarray(at, at + size), dtype, dim, vectors, i * dim);
      }
      yield { count, tileIds: Int32Array.from(rows.slice(start, end), (r) => r[2]), vectors: vectors.subarray(0, count * dim) };
      start = end;
    }
  }

  /** Index rows of a backbone (one view, or all when null), optionally only of the tiles in temp table wanted_tiles. */
  private placement(backboneId: number, view: number | null, onlyWanted: boolean | null): Placement {
    const where = `e.backbone_id = ?${view === null ? '' : ' AND e.view = ?'}`;
    // CROSS JOIN keeps the wanted tiles as the outer loop: each is one index lookup, where the
    // planner's own choice could walk every vector of the backbone for each slide.
    const from = onlyWanted ? 'wanted_tiles w CROSS JOIN embeddings e ON w.tile_id = e.tile_id' : 'embeddings e';
    const params = view === null ? [backboneId] : [backboneId, view];
    const n = (this.db.prepare(`SELECT count(*) AS n FROM ${from} WHERE ${where}`).get(...params) as { n: number }).n;
    const out: Placement = { tileIds: new Int32Array(n), views: new Int32Array(n), blocks: new Int32Array(n), slots: new Int32Array(n) };
    let i = 0;
    const rows = this.db.prepare(`SELECT e.tile_id, e.view, e.block_id, e.slot FROM ${from} WHERE ${where} ORDER BY e.tile_id, e.view`).raw().iterate(...params);
    for (const [tileId, v, block, slot] of rows as IterableIterator<[number, number, number, number]>) {
      if (i >= n) break;
      out.tileIds[i] = tileId;
      out.views[i] = v;
      out.blocks[i] = block;
      out.slots[i] = slot;
      i++;
    }
    return i === n ? out : { tileIds: out.tileIds.subarray(0, i), views: out.views.subarray(0, i), blocks: out.blocks.subarray(0, i), slots: out.slots.subarray(0, i) };
  }

  /** Decodes placement rows [start, end) into `target` (row start at 0), reading each block they touch once. */
  private gatherInto(placement: Placement, start: number, end: number, dim: number, target: Float32Array): void {
    const order = Array.from({ length: end - start }, (_, i) => start + i).sort((a, b) => placement.blocks[a]! - placement.blocks[b]! || placement.slots[a]! - placement.slots[b]!);
    const read = this.vectorsReader();
    let blockId = -1;
    let dtype: VectorDtype = 'float32';
    let bytes: Buffer = Buffer.alloc(0);
    for (const row of order) {
      if (placement.blocks[row] !== blockId) {
        blockId = placement.blocks[row]!;
        [dtype, bytes] = read.get(blockId) as [VectorDtype, Buffer];
      }
      const size = dim * bytesPerValue(dtype);
      const at = placement.slots[row]! * size;
      if (at + size > bytes.byteLength) throw new Error(`stored vector block ${blockId} has ${bytes.byteLength} bytes, too few for slot ${placement.slots[row]} of ${dim}-d ${dtype}`);
      decodeValuesInto(bytes.subarray(at, at + size), dtype, dim, target, (row - start) * dim);
    }
  }

  /**
   * Loads vectors of a backbone into one Float32Array, in tile order: every tile, or the given
   * tiles; one view, or all views when `view` is null.
   */
  loadMatrix(backboneId: number, dim: number, options: { view?: number | null; tileIds?: readonly number[] } = {}): EmbeddingMatrix {
    const view = options.view === undefined ? 0 : options.view;
    if (!options.tileIds && view !== null) {
      const ordered = this.orderedBlocks(backboneId, view);
      if (ordered) return this.readOrdered(ordered, dim, view);
    }
    if (options.tileIds) this.markWanted(options.tileIds);
    const placement = this.placement(backboneId, view, options.tileIds ? true : null);
    const count = placement.tileIds.length;
    const vectors = new Float32Array(count * dim);
    this.gatherInto(placement, 0, count, dim, vectors);
    return { dim, count, tileIds: placement.tileIds, views: placement.views, vectors };
  }

  /** The whole-view fast path: the scan's blocks (on the helper threads when many) copied into the matrix. */
  private readOrdered(blocks: readonly BlockRange[], dim: number, view: number): EmbeddingMatrix {
    const count = blocks.reduce((n, b) => n + b.count, 0);
    const vectors = new Float32Array(count * dim);
    const tileIds = new Int32Array(count);
    let row = 0;
    for (const chunk of this.scanBlocks(blocks, dim)) {
      vectors.set(chunk.vectors, row * dim);
      tileIds.set(chunk.tileIds, row);
      row += chunk.count;
    }
    return { dim, count, tileIds, views: new Int32Array(count).fill(view), vectors };
  }

  /**
   * The encoded vectors of one tiling for a backbone, as another project (a shard, perhaps of
   * schema 2 with a BLOB per row) stores them: what a merge copies byte for byte.
   */
  static tilingVectors(db: Database.Database, tilingId: number, backboneId: number): EncodedVector[] {
    const columns = (db.prepare('PRAGMA table_info(embeddings)').all() as Array<{ name: string }>).map((c) => c.name);
    if (columns.includes('vector')) {
      return (
        db
          .prepare('SELECT e.tile_id, e.view, e.view_name, e.dtype, e.vector FROM embeddings e JOIN tiles t ON t.id = e.tile_id WHERE t.tiling_id = ? AND e.backbone_id = ? ORDER BY e.tile_id, e.view')
          .raw()
          .all(tilingId, backboneId) as Array<[number, number, string, VectorDtype, Buffer]>
      ).map(([tileId, view, viewName, dtype, bytes]) => ({ tileId, view, viewName, dtype, bytes }));
    }
    const rows = db
      .prepare(
        `SELECT e.tile_id, e.view, e.view_name, e.block_id, e.slot FROM embeddings e JOIN tiles t ON t.id = e.tile_id
         WHERE t.tiling_id = ? AND e.backbone_id = ? ORDER BY e.block_id, e.slot`,
      )
      .raw()
      .all(tilingId, backboneId) as Array<[number, number, string, number, number]>;
    const reader = new BlockSlots(db);
    return rows.map(([tileId, view, viewName, blockId, slot]) => ({ tileId, view, viewName, ...reader.slot(blockId, slot) }));
  }

  /** The stored bytes of one vector, or null when it is not stored. */
  storedVector(backboneId: number, tileId: number, view: number): { dtype: VectorDtype; bytes: Buffer } | null {
    const at = this.db.prepare('SELECT block_id, slot FROM embeddings WHERE backbone_id = ? AND tile_id = ? AND view = ?').raw().get(backboneId, tileId, view) as [number, number] | undefined;
    if (!at) return null;
    this.slots ??= new BlockSlots(this.db);
    return this.slots.slot(at[0], at[1]);
  }

  /** Stores encoded vectors of one backbone (from another project), a block per view and dtype; call inside a transaction. */
  writeEncoded(backboneId: number, vectors: readonly EncodedVector[]): number {
    const groups = new Map<string, EncodedVector[]>();
    for (const v of vectors) {
      const key = `${v.view}:${v.dtype}`;
      const group = groups.get(key);
      if (group) group.push(v);
      else groups.set(key, [v]);
    }
    let added = 0;
    for (const group of groups.values()) {
      group.sort((a, b) => a.tileId - b.tileId);
      added += this.writeBlock(backboneId, group[0]!.view, group[0]!.dtype, group.map((v) => v.tileId), group.map((v) => v.viewName), Buffer.concat(group.map((v) => v.bytes)));
    }
    return added;
  }

  private markWanted(tileIds: readonly number[]): void {
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS wanted_tiles (tile_id INTEGER PRIMARY KEY)');
    this.db.exec('DELETE FROM wanted_tiles');
    const add = this.db.prepare('INSERT OR IGNORE INTO wanted_tiles VALUES (?)');
    this.db.transaction(() => tileIds.forEach((id) => add.run(id)))();
  }
}

/** One stored block, read and checked against its range. */
function readEncoded(read: Database.Statement, block: BlockRange, dim: number): EncodedBlock {
  const row = read.get(block.id) as [VectorDtype, Buffer, Buffer] | undefined;
  if (!row) throw new Error(`stored vector block ${block.id} is missing`);
  const [dtype, tileIds, bytes] = row;
  checkBlock(bytes, dtype, block.count, dim, block.id);
  return { count: block.count, tileIds: checkTileIds(int32s(tileIds), block), dtype, bytes };
}

/** A block's tile ids as read, checked against its range: they ascend from its first to its last. */
function checkTileIds(tileIds: Int32Array, block: BlockRange): Int32Array {
  let ok = tileIds.length === block.count && tileIds[0] === block.first && tileIds[block.count - 1] === block.last;
  for (let i = 1; ok && i < tileIds.length; i++) ok = tileIds[i]! > tileIds[i - 1]!;
  if (!ok) throw new Error(`stored vector block ${block.id}: its ${tileIds.length} tile ids do not match its recorded range (${block.count} tiles, ${block.first} to ${block.last}); the project file is damaged`);
  return tileIds;
}

function checkBlock(bytes: Buffer, dtype: VectorDtype, count: number, dim: number, blockId: number): void {
  const expected = count * dim * bytesPerValue(dtype);
  if (bytes.byteLength !== expected) throw new Error(`stored vector block ${blockId} has ${bytes.byteLength} bytes, expected ${expected} (${count} x ${dim}-d ${dtype})`);
}

/** Reads single slots of blocks, keeping the last block read: slots are mostly read block by block. */
class BlockSlots {
  private readonly read: Database.Statement;
  private cached: { id: number; dtype: VectorDtype; count: number; bytes: Buffer } | null = null;

  constructor(db: Database.Database) {
    this.read = db.prepare('SELECT dtype, count, vectors FROM embedding_blocks WHERE id = ?').raw();
  }

  slot(blockId: number, slot: number): { dtype: VectorDtype; bytes: Buffer } {
    if (this.cached?.id !== blockId) {
      const row = this.read.get(blockId) as [VectorDtype, number, Buffer] | undefined;
      if (!row) throw new Error(`stored vector block ${blockId} is missing`);
      this.cached = { id: blockId, dtype: row[0], count: row[1], bytes: row[2] };
    }
    const { dtype, count, bytes } = this.cached;
    const size = bytes.byteLength / count;
    return { dtype, bytes: Buffer.from(bytes.subarray(slot * size, (slot + 1) * size)) };
  }
}
