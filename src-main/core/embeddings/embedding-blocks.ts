/**
 * Fast loading of stored vectors through `embedding_blocks`, a derived cache in the project file.
 *
 * better-sqlite3 costs a few microseconds per row (a new Buffer per 2 KB blob), which caps loading
 * one vector per row at ~100-200k vectors/s. A block packs a backbone's vectors of one view (or of
 * every view) for the 4096 tile ids [block * 4096, block * 4096 + 4095] into one float32 blob, so
 * a warm load reads a few large blobs instead of 100k small ones.
 *
 * The embeddings rows stay the single source of truth. Vectors are never updated in place (inserts
 * are ON CONFLICT DO NOTHING) and rows only disappear by cascade, so a block records the count,
 * max(id) and sum(id) of the rows it was built from; a load compares them with the rows' current
 * values (an index-only query) and rebuilds a block that no longer matches. Everything a load
 * reads happens in one read transaction (one snapshot); rebuilt blocks are written afterwards, each
 * in its own write transaction, and only if the rows still match them. A connection that cannot
 * write (read-only, inside a caller's transaction, busy) just loads from the rows.
 */
import type Database from 'better-sqlite3';
import type { EmbeddingMatrix } from '../project/repos/embeddings-repo';
import { decodeVectorInto, type VectorDtype } from './vector-codec';

export const BLOCK_SHIFT = 12;
export const BLOCK_TILES = 1 << BLOCK_SHIFT;
/** The `view` of a block that holds every view of its tiles. */
export const ALL_VIEWS = -1;
/** Below this many wanted tiles in a block, or this fraction of its rows, rows are read one by one. */
const SPARSE_TILES = 64;
const DENSE_FRACTION = 0.2;
const MAX_TILE_ID = 0x7fffffff;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Stats {
  count: number;
  maxId: number;
  idSum: number;
}

/** Output rows of one block, in order. */
interface Piece {
  count: number;
  tileIds: Int32Array;
  views: Int32Array;
  /** Rows of the source to take, in order; null: rows 0..count-1. */
  select: Int32Array | null;
  /** The source vectors when in memory; null: the stored block's vectors blob. */
  memory: Float32Array | null;
  block: number;
}

interface BuiltBlock extends Stats {
  backboneId: number;
  view: number;
  block: number;
  dim: number;
  tileIds: Int32Array;
  views: Int32Array;
  vectors: Float32Array;
}

class Unavailable extends Error {}

function bytesOf(a: Float32Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Copies a blob's bytes into a fresh (aligned) Int32Array. */
function int32s(blob: Buffer, count: number): Int32Array {
  if (blob.byteLength !== count * 4) throw new Unavailable('block blob has the wrong length');
  const out = new Int32Array(count);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

export class EmbeddingBlocks {
  private available: boolean | undefined;
  private statements: Map<string, Database.Statement> = new Map();

  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private hasTable(): boolean {
    if (this.available === undefined) {
      this.available =
        littleEndian && this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'embedding_blocks'").get() !== undefined;
    }
    return this.available;
  }

  /**
   * The same matrix as the row-by-row load (rows in (tile, view) order), or null when the packed
   * path does not apply (no blocks table, unusual arguments): the caller then reads the rows.
   */
  load(backboneId: number, dim: number, view: number | null, tileIds: readonly number[] | undefined): EmbeddingMatrix | null {
    if (!this.hasTable()) return null;
    if (!Number.isSafeInteger(backboneId) || !Number.isSafeInteger(dim) || dim <= 0) return null;
    if (view !== null && !(Number.isSafeInteger(view) && view >= 0)) return null;
    let wanted: Int32Array | null = null;
    if (tileIds) {
      wanted = new Int32Array(tileIds.length);
      for (let i = 0; i < tileIds.length; i++) {
        const id = tileIds[i]!;
        if (!Number.isInteger(id) || id < 0 || id > MAX_TILE_ID) return null;
        wanted[i] = id;
      }
      wanted.sort();
      let n = 0;
      for (let i = 0; i < wanted.length; i++) if (n === 0 || wanted[i] !== wanted[n - 1]) wanted[n++] = wanted[i]!;
      wanted = wanted.subarray(0, n);
    }
    const built: BuiltBlock[] = [];
    let matrix: EmbeddingMatrix;
    try {
      matrix = this.db.transaction(() => this.read(backboneId, dim, view, wanted, built))();
    } catch (err) {
      if (err instanceof Unavailable) return null;
      throw err;
    }
    if (built.length > 0) this.store(built);
    return matrix;
  }

  private read(backboneId: number, dim: number, view: number | null, wanted: Int32Array | null, built: BuiltBlock[]): EmbeddingMatrix {
    const selector = view ?? ALL_VIEWS;
    const pieces: Piece[] = [];
    const visit = (block: number, from: number, to: number) => {
      const piece = this.blockPiece(backboneId, dim, view, selector, block, wanted ? wanted.subarray(from, to) : null, built);
      if (piece && piece.count > 0) pieces.push(piece);
    };
    if (wanted) {
      let from = 0;
      while (from < wanted.length) {
        const block = wanted[from]! >>> BLOCK_SHIFT;
        let to = from + 1;
        while (to < wanted.length && wanted[to]! >>> BLOCK_SHIFT === block) to++;
        visit(block, from, to);
        from = to;
      }
    } else {
      const range = this.stmt('SELECT min(tile_id), max(tile_id) FROM embeddings WHERE backbone_id = ?').raw().get(backboneId) as [number | null, number | null];
      if (range[0] !== null && range[1] !== null) {
        if (range[0] < 0 || range[1] > MAX_TILE_ID) throw new Unavailable('tile ids out of range');
        for (let block = range[0] >>> BLOCK_SHIFT; block <= range[1] >>> BLOCK_SHIFT; block++) visit(block, 0, 0);
      }
    }
    let total = 0;
    for (const p of pieces) total += p.count;
    const vectors = new Float32Array(total * dim);
    const tileIds = new Int32Array(total);
    const views = new Int32Array(total);
    const out = new Uint8Array(vectors.buffer);
    const rowBytes = dim * 4;
    let at = 0;
    for (const p of pieces) {
      tileIds.set(p.tileIds, at);
      views.set(p.views, at);
      let source: Uint8Array;
      if (p.memory) source = new Uint8Array(p.memory.buffer, p.memory.byteOffset, p.memory.byteLength);
      else {
        source = this.stmt('SELECT vectors FROM embedding_blocks WHERE backbone_id = ? AND view = ? AND block = ?').pluck().get(backboneId, selector, p.block) as Buffer;
        if (!source) throw new Unavailable('block vanished');
      }
      if (!p.select) {
        if (source.byteLength < p.count * rowBytes) throw new Unavailable('block blob too short');
        out.set(source.subarray(0, p.count * rowBytes), at * rowBytes);
      } else {
        // Copy runs of consecutive rows at once.
        const s = p.select;
        let i = 0;
        while (i < s.length) {
          let j = i + 1;
          while (j < s.length && s[j] === s[j - 1]! + 1) j++;
          const start = s[i]! * rowBytes;
          const end = (s[j - 1]! + 1) * rowBytes;
          if (end > source.byteLength) throw new Unavailable('block blob too short');
          out.set(source.subarray(start, end), (at + i) * rowBytes);
          i = j;
        }
      }
      at += p.count;
    }
    return { dim, count: total, tileIds, views, vectors };
  }

  private stats(backboneId: number, view: number | null, block: number): Stats {
    const lo = block * BLOCK_TILES;
    const hi = lo + BLOCK_TILES - 1;
    const row = (
      view === null
        ? this.stmt('SELECT count(*), max(id), sum(id) FROM embeddings WHERE backbone_id = ? AND tile_id BETWEEN ? AND ?').raw().get(backboneId, lo, hi)
        : this.stmt('SELECT count(*), max(id), sum(id) FROM embeddings WHERE backbone_id = ? AND tile_id BETWEEN ? AND ? AND view = ?').raw().get(backboneId, lo, hi, view)
    ) as [number, number | null, number | null];
    return { count: row[0], maxId: row[1] ?? 0, idSum: row[2] ?? 0 };
  }

  private blockPiece(
    backboneId: number,
    dim: number,
    view: number | null,
    selector: number,
    block: number,
    wanted: Int32Array | null,
    built: BuiltBlock[],
  ): Piece | null {
    if (wanted && wanted.length < SPARSE_TILES) return this.sparse(backboneId, dim, view, block, wanted);
    const stats = this.stats(backboneId, view, block);
    if (stats.count === 0) return null;
    if (wanted && wanted.length < stats.count * DENSE_FRACTION) return this.sparse(backboneId, dim, view, block, wanted);
    let tileIds: Int32Array;
    let views: Int32Array;
    let memory: Float32Array | null = null;
    const stored = this.stmt('SELECT dim, row_count, max_id, id_sum, tile_ids, views FROM embedding_blocks WHERE backbone_id = ? AND view = ? AND block = ?')
      .raw()
      .get(backboneId, selector, block) as [number, number, number, number, Buffer, Buffer] | undefined;
    if (stored && stored[0] === dim && stored[1] === stats.count && stored[2] === stats.maxId && stored[3] === stats.idSum) {
      tileIds = int32s(stored[4], stats.count);
      views = int32s(stored[5], stats.count);
    } else {
      const fresh = this.build(backboneId, dim, view, selector, block, stats);
      if (!fresh) return wanted ? this.sparse(backboneId, dim, view, block, wanted) : this.sparse(backboneId, dim, view, block, null);
      built.push(fresh);
      ({ tileIds, views } = fresh);
      memory = fresh.vectors;
    }
    if (!wanted) return { count: tileIds.length, tileIds, views, select: null, memory, block };
    // Both sorted: keep the rows whose tile is wanted.
    const select = new Int32Array(tileIds.length);
    let n = 0;
    let w = 0;
    for (let r = 0; r < tileIds.length; r++) {
      const t = tileIds[r]!;
      while (w < wanted.length && wanted[w]! < t) w++;
      if (w === wanted.length) break;
      if (wanted[w] === t) select[n++] = r;
    }
    if (n === tileIds.length) return { count: n, tileIds, views, select: null, memory, block };
    const chosen = select.subarray(0, n);
    const pickedTiles = new Int32Array(n);
    const pickedViews = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      pickedTiles[i] = tileIds[chosen[i]!]!;
      pickedViews[i] = views[chosen[i]!]!;
    }
    return { count: n, tileIds: pickedTiles, views: pickedViews, select: chosen, memory, block };
  }

  /** Packs a block from its rows; null when a row does not fit the pack (the row path then decides). */
  private build(backboneId: number, dim: number, view: number | null, selector: number, block: number, stats: Stats): BuiltBlock | null {
    const lo = block * BLOCK_TILES;
    const hi = lo + BLOCK_TILES - 1;
    const rows = (
      view === null
        ? this.stmt('SELECT id, tile_id, view, dtype, vector FROM embeddings WHERE backbone_id = ? AND tile_id BETWEEN ? AND ? ORDER BY tile_id, view').raw().iterate(backboneId, lo, hi)
        : this.stmt('SELECT id, tile_id, view, dtype, vector FROM embeddings WHERE backbone_id = ? AND tile_id BETWEEN ? AND ? AND view = ? ORDER BY tile_id, view')
            .raw()
            .iterate(backboneId, lo, hi, view)
    ) as IterableIterator<[number, number, number, VectorDtype, Buffer]>;
    const tileIds = new Int32Array(stats.count);
    const views = new Int32Array(stats.count);
    const vectors = new Float32Array(stats.count * dim);
    let count = 0;
    let maxId = 0;
    let idSum = 0;
    try {
      for (const row of rows) {
        if (count >= stats.count || row[2] < -0x80000000 || row[2] > MAX_TILE_ID) {
          rows.return?.();
          return null;
        }
        decodeVectorInto(row[4], row[3], dim, vectors, count * dim);
        tileIds[count] = row[1];
        views[count] = row[2];
        if (row[0] > maxId) maxId = row[0];
        idSum += row[0];
        count++;
      }
    } catch {
      rows.return?.();
      return null;
    }
    if (count !== stats.count || maxId !== stats.maxId || idSum !== stats.idSum) return null;
    return { backboneId, view: selector, block, dim, count, maxId, idSum, tileIds, views, vectors };
  }

  /** Reads the wanted tiles of a block (all of them when null) row by row. */
  private sparse(backboneId: number, dim: number, view: number | null, block: number, wanted: Int32Array | null): Piece | null {
    const rows: Array<[number, number, VectorDtype, Buffer]> = [];
    if (wanted) {
      const one =
        view === null
          ? this.stmt('SELECT tile_id, view, dtype, vector FROM embeddings WHERE backbone_id = ? AND tile_id = ? ORDER BY view').raw()
          : this.stmt('SELECT tile_id, view, dtype, vector FROM embeddings WHERE backbone_id = ? AND tile_id = ? AND view = ?').raw();
      for (const id of wanted) {
        if (view === null) for (const row of one.all(backboneId, id) as Array<[number, number, VectorDtype, Buffer]>) rows.push(row);
        else {
          const row = one.get(backboneId, id, view) as [number, number, VectorDtype, Buffer] | undefined;
          if (row) rows.push(row);
        }
      }
    } else {
      const lo = block * BLOCK_TILES;
      const all =
        view === null
          ? this.stmt('SELECT tile_id, view, dtype, vector FROM embeddings WHERE backbone_id = ? AND tile_id BETWEEN ? AND ? ORDER BY tile_id, view').raw().all(backboneId, lo, lo + BLOCK_TILES - 1)
          : this.stmt('SELECT tile_id, view, dtype, vector FROM embeddings WHERE backbone_id = ? AND tile_id BETWEEN ? AND ? AND view = ? ORDER BY tile_id, view')
              .raw()
              .all(backboneId, lo, lo + BLOCK_TILES - 1, view);
      rows.push(...(all as Array<[number, number, VectorDtype, Buffer]>));
    }
    if (rows.length === 0) return null;
    const tileIds = new Int32Array(rows.length);
    const views = new Int32Array(rows.length);
    const memory = new Float32Array(rows.length * dim);
    rows.forEach((row, i) => {
      tileIds[i] = row[0];
      views[i] = row[1];
      decodeVectorInto(row[3], row[2], dim, memory, i * dim);
    });
    return { count: rows.length, tileIds, views, select: null, memory, block };
  }

  /** Stores rebuilt blocks, each only if its rows are still exactly those it was built from. */
  private store(built: readonly BuiltBlock[]): void {
    if (this.db.readonly || this.db.inTransaction) return;
    const upsert = this.stmt(
      `INSERT OR REPLACE INTO embedding_blocks (backbone_id, view, block, dim, row_count, max_id, id_sum, tile_ids, views, vectors)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const b of built) {
      try {
        this.db.transaction(() => {
          const now = this.stats(b.backboneId, b.view === ALL_VIEWS ? null : b.view, b.block);
          if (now.count !== b.count || now.maxId !== b.maxId || now.idSum !== b.idSum) return;
          upsert.run(b.backboneId, b.view, b.block, b.dim, b.count, b.maxId, b.idSum, bytesOf(b.tileIds), bytesOf(b.views), bytesOf(b.vectors));
        }).immediate();
      } catch {
        return; // read-only file, busy, or a backbone deleted meanwhile: the cache is optional
      }
    }
  }
}
