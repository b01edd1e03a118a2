import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { encodeVector, fromHalf, toHalf, type VectorDtype } from '../../../src-main/core/embeddings/vector-codec';
import { migrations } from '../../../src-main/core/project/migrations';
import { PROJECT_APPLICATION_ID } from '../../../src-main/core/project/project-file-check';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { EmbeddingsRepo, type EmbeddingRow } from '../../../src-main/core/project/repos/embeddings-repo';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const DIM = 6;

/** A deterministic vector per (tile, view) whose float16 rounding is exact (halves of small integers). */
function vectorOf(tileId: number, view: number): Float32Array {
  return Float32Array.from({ length: DIM }, (_, d) => fromHalf(toHalf((tileId * 7 + view * 3 + d) / 8 - 4)));
}

/** A project with one backbone and one slide of `tiles` tiles, without vectors. */
function addSlideAndBackbone(db: Database.Database, tiles: number): number[] {
  const now = new Date().toISOString();
  db.prepare(`INSERT INTO backbones (id, name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES (1, 'gen', 'none', '0', 32, '[0,0,0]', '[1,1,1]', 'input', 'output', ?, ?)`).run(DIM, now);
  db.prepare(`INSERT INTO slides (id, path, fingerprint, format, width, height, levels_json, added_at) VALUES (1, '/gen/a.tif', 'fp', 'tiff', 4096, 4096, '[]', ?)`).run(now);
  db.prepare(`INSERT INTO tilings (id, slide_id, tile_size, params_key, created_at) VALUES (1, 1, 32, 'k', ?)`).run(now);
  const add = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (1, ?, 0, 32, 32, 1)');
  return Array.from({ length: tiles }, (_, i) => Number(add.run(i * 32).lastInsertRowid));
}

function rows(tileIds: readonly number[], view: number): EmbeddingRow[] {
  return tileIds.map((tileId) => ({ tileId, view, viewName: view === 0 ? 'original' : `view-${view}`, vector: vectorOf(tileId, view) }));
}

function expectMatrix(matrix: { count: number; tileIds: Int32Array; views: Int32Array; vectors: Float32Array }, keys: Array<[number, number]>): void {
  expect(Array.from(matrix.tileIds)).toEqual(keys.map((k) => k[0]));
  expect(Array.from(matrix.views)).toEqual(keys.map((k) => k[1]));
  const want = new Float32Array(keys.length * DIM);
  keys.forEach(([tileId, view], i) => want.set(vectorOf(tileId, view), i * DIM));
  expect(matrix.vectors).toEqual(want);
}

describe('packed vector store', () => {
  it('stores a batch as one block per view, keeps existing vectors, and loads them in tile order', () => {
    const store = ProjectStore.create(path.join(tempDir(), 'p.histo'));
    try {
      const tiles = addSlideAndBackbone(store.db, 40);
      const repo = new EmbeddingsRepo(store.db);
      // Two batches written out of tile order, views mixed, one tile repeated.
      expect(repo.insertBatch(1, 'float16', [...rows(tiles.slice(20, 40).reverse(), 0), ...rows(tiles.slice(20, 30), 1)])).toBe(30);
      expect(repo.insertBatch(1, 'float16', [...rows(tiles.slice(0, 21), 0)])).toBe(20);
      expect(store.db.prepare('SELECT view, count FROM embedding_blocks ORDER BY id').all()).toEqual([
        { view: 0, count: 20 },
        { view: 1, count: 10 },
        { view: 0, count: 20 },
      ]);
      expect(repo.count(1)).toBe(50);
      expect(repo.bytesPerVector(1)).toBe(DIM * 2);

      // Whole view: blocks whose ranges do not interleave read straight through.
      expectMatrix(repo.loadMatrix(1, DIM), tiles.map((t) => [t, 0]));
      const scanned = [...repo.scan(1, DIM, 0, 7)].flatMap((c) => Array.from(c.tileIds));
      expect(scanned).toEqual(tiles);
      // The same blocks undecoded (what bench:scale times apart): float16 bytes, tile ranges in order.
      const encoded = [...repo.encodedBlocks(1, DIM, 0)!];
      expect(encoded.map((b) => [b.count, b.dtype, b.bytes.byteLength, b.tileIds[0]])).toEqual([
        [20, 'float16', 20 * DIM * 2, tiles[0]],
        [20, 'float16', 20 * DIM * 2, tiles[20]],
      ]);
      // A subset over both views, in (tile, view) order.
      const subset = [tiles[25]!, tiles[3]!, tiles[22]!];
      expectMatrix(repo.loadMatrix(1, DIM, { view: null, tileIds: subset }), [
        [tiles[3]!, 0],
        [tiles[22]!, 0],
        [tiles[22]!, 1],
        [tiles[25]!, 0],
        [tiles[25]!, 1],
      ]);
      // Streaming a subset: whole blocks and single slots, each tile once, with its own vector.
      const streamed = new Map<number, number[]>();
      for (const c of repo.scanTiles(1, DIM, 0, [...tiles.slice(0, 20), tiles[33]!, 999_999])) {
        for (let i = 0; i < c.count; i++) streamed.set(c.tileIds[i]!, Array.from(c.vectors.subarray(i * DIM, (i + 1) * DIM)));
      }
      expect([...streamed.keys()].sort((a, b) => a - b)).toEqual([...tiles.slice(0, 20), tiles[33]!]);
      for (const [tileId, vector] of streamed) expect(vector).toEqual(Array.from(vectorOf(tileId, 0)));
    } finally {
      store.close();
    }
  });

  it('scans interleaved blocks (a resumed extraction) in tile order with the same vectors', () => {
    const store = ProjectStore.create(path.join(tempDir(), 'p.histo'));
    try {
      const tiles = addSlideAndBackbone(store.db, 30);
      const repo = new EmbeddingsRepo(store.db);
      repo.insertBatch(1, 'float32', rows(tiles.filter((_, i) => i % 2 === 0), 0));
      repo.insertBatch(1, 'float32', rows(tiles.filter((_, i) => i % 2 === 1), 0));
      expectMatrix(repo.loadMatrix(1, DIM), tiles.map((t) => [t, 0]));
      // Chunk buffers are reused, so each is read as it comes.
      const counts: number[] = [];
      const seen: Array<[number, number[]]> = [];
      for (const c of repo.scan(1, DIM, 0, 8)) {
        counts.push(c.count);
        for (let i = 0; i < c.count; i++) seen.push([c.tileIds[i]!, Array.from(c.vectors.subarray(i * DIM, (i + 1) * DIM))]);
      }
      expect(counts).toEqual([8, 8, 8, 6]);
      expect(repo.encodedBlocks(1, DIM, 0)).toBeNull();
      expect(seen).toEqual(tiles.map((t) => [t, Array.from(vectorOf(t, 0))]));
    } finally {
      store.close();
    }
  });

  it('drops a block with its last index row, and never returns a vector whose tile is gone', () => {
    const store = ProjectStore.create(path.join(tempDir(), 'p.histo'));
    try {
      const tiles = addSlideAndBackbone(store.db, 20);
      const repo = new EmbeddingsRepo(store.db);
      repo.insertBatch(1, 'float16', rows(tiles.slice(0, 10), 0));
      repo.insertBatch(1, 'float16', rows(tiles.slice(10), 0));
      store.db.prepare('DELETE FROM tiles WHERE id IN (?, ?)').run(tiles[3], tiles[15]);
      const live = tiles.filter((_, i) => i !== 3 && i !== 15);
      expectMatrix(repo.loadMatrix(1, DIM), live.map((t) => [t, 0]));
      expect([...repo.scan(1, DIM, 0, 100)].flatMap((c) => Array.from(c.tileIds))).toEqual(live);
      store.db.prepare('DELETE FROM tiles WHERE id IN (SELECT id FROM tiles LIMIT 10)').run();
      expect(store.db.prepare('SELECT count FROM embedding_blocks').all()).toEqual([{ count: 10 }]);
      store.db.prepare('DELETE FROM embeddings').run();
      expect(store.db.prepare('SELECT count(*) AS n FROM embedding_blocks').get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });

  it('migrates a schema-2 project (a BLOB per vector) into blocks with identical vectors and a backup', () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.histo');
    const db = new Database(file);
    db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    for (const m of migrations.filter((m) => m.version <= 2)) db.exec(m.sql);
    db.pragma('user_version = 2');
    const tiles = addSlideAndBackbone(db, 300);
    const add = db.prepare('INSERT INTO embeddings (tile_id, backbone_id, view, view_name, dtype, vector) VALUES (?, 1, ?, ?, ?, ?)');
    const stored: Array<[number, number, VectorDtype]> = [];
    // Views 0 and 2, float16 and float32 mixed, rows written out of tile order.
    for (const tileId of [...tiles].reverse()) {
      const dtype: VectorDtype = tileId % 3 === 0 ? 'float32' : 'float16';
      add.run(tileId, 0, 'original', dtype, encodeVector(vectorOf(tileId, 0), dtype));
      stored.push([tileId, 0, dtype]);
      if (tileId % 5 === 0) {
        add.run(tileId, 2, 'rot180', 'float16', encodeVector(vectorOf(tileId, 2), 'float16'));
        stored.push([tileId, 2, 'float16']);
      }
    }
    db.close();

    const store = ProjectStore.open(file);
    try {
      expect(store.schemaVersion).toBeGreaterThanOrEqual(3);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'embeddings_v2'").get()).toBeUndefined();
      const repo = new EmbeddingsRepo(store.db);
      expect(repo.count(1)).toBe(stored.length);
      const keys = stored.map(([t, v]) => [t, v] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expectMatrix(repo.loadMatrix(1, DIM, { view: null }), keys);
      expectMatrix(repo.loadMatrix(1, DIM), keys.filter((k) => k[1] === 0));
      expect(store.db.prepare('SELECT DISTINCT view_name FROM embeddings WHERE view = 2').all()).toEqual([{ view_name: 'rot180' }]);
      // Each stored vector's bytes are exactly what schema 2 held.
      for (const [tileId, view, dtype] of stored.slice(0, 20)) expect(repo.storedVector(1, tileId, view)).toEqual({ dtype, bytes: encodeVector(vectorOf(tileId, view), dtype) });
      // Packed: the vector bytes plus a 4-byte tile id per vector, nothing stored twice.
      const sizes = store.db.prepare('SELECT sum(length(vectors)) AS v, sum(length(tile_ids)) AS t FROM embedding_blocks').get() as { v: number; t: number };
      expect(sizes).toEqual({ v: stored.reduce((n, s) => n + DIM * (s[2] === 'float32' ? 4 : 2), 0), t: stored.length * 4 });
    } finally {
      store.close();
    }
    expect(fs.existsSync(`${file}.bak-v2`)).toBe(true);
  });

  it('reads a tiling\'s vectors byte for byte from a schema-2 shard and from a packed project alike (what a merge copies)', () => {
    const file = path.join(tempDir(), 'shard.histo');
    const db = new Database(file);
    db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    for (const m of migrations.filter((m) => m.version <= 2)) db.exec(m.sql);
    db.pragma('user_version = 2');
    const tiles = addSlideAndBackbone(db, 5);
    const add = db.prepare('INSERT INTO embeddings (tile_id, backbone_id, view, view_name, dtype, vector) VALUES (?, 1, 0, ?, ?, ?)');
    for (const tileId of tiles) add.run(tileId, 'original', 'float16', encodeVector(vectorOf(tileId, 0), 'float16'));
    const old = EmbeddingsRepo.tilingVectors(db, 1, 1);
    db.close();
    expect(old.map((v) => v.tileId)).toEqual(tiles);
    old.forEach((v) => expect(v).toEqual({ tileId: v.tileId, view: 0, viewName: 'original', dtype: 'float16', bytes: encodeVector(vectorOf(v.tileId, 0), 'float16') }));
    const store = ProjectStore.open(file);
    try {
      const packed = EmbeddingsRepo.tilingVectors(store.db, 1, 1);
      expect(packed).toEqual(old);
    } finally {
      store.close();
    }
  });

  it('refuses to migrate a schema-2 vector of the wrong length, naming it, and leaves the file at schema 2', () => {
    const file = path.join(tempDir(), 'bad.histo');
    const db = new Database(file);
    db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    for (const m of migrations.filter((m) => m.version <= 2)) db.exec(m.sql);
    db.pragma('user_version = 2');
    const tiles = addSlideAndBackbone(db, 2);
    db.prepare("INSERT INTO embeddings (tile_id, backbone_id, view, view_name, dtype, vector) VALUES (?, 1, 0, 'original', 'float32', ?)").run(tiles[1], Buffer.alloc(5));
    db.close();
    expect(() => ProjectStore.open(file)).toThrow(new RegExp(`stored vector of tile ${tiles[1]} \\(backbone 1\\) has 5 bytes, expected ${DIM * 4}`));
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    after.close();
  });
});
