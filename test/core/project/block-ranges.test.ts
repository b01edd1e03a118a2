import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/core/project/migrations';
import { PROJECT_APPLICATION_ID } from '../../../src-main/core/project/project-file-check';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { EmbeddingsRepo } from '../../../src-main/core/project/repos/embeddings-repo';
import { useTempDir } from '../../helpers/temp-dir';

// Block tile ranges (migration 8): what a scan orders blocks by, and knows deleted slots from,
// without reading the blocks' pages. The ranges must match the blocks through every change.
const tempDir = useTempDir();
const DIM = 8;
const SERIAL = Infinity;
const PARALLEL = 0;

const vectorOf = (tileId: number, backbone: number) => Float32Array.from({ length: DIM }, (_, d) => tileId * 10 + d + backbone / 4);

function addBasics(db: Database.Database, tiles: number): number[] {
  const now = new Date().toISOString();
  for (const id of [1, 2]) {
    db.prepare(`INSERT INTO backbones (id, name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES (?, ?, 'none', ?, 32, '[0,0,0]', '[1,1,1]', 'input', 'output', ?, ?)`).run(id, `gen${id}`, `${id}`, DIM, now);
  }
  db.prepare(`INSERT INTO slides (id, path, fingerprint, format, width, height, levels_json, added_at) VALUES (1, '/gen/a.tif', 'fp', 'tiff', 4096, 4096, '[]', ?)`).run(now);
  db.prepare(`INSERT INTO tilings (id, slide_id, tile_size, params_key, created_at) VALUES (1, 1, 32, 'k', ?)`).run(now);
  const add = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (1, ?, 0, 32, 32, 1)');
  return Array.from({ length: tiles }, (_, i) => Number(add.run(i * 32).lastInsertRowid));
}

/** Blocks of 10 float32 vectors, the last ones written first (block ids against tile order), as schema 7 wrote them. */
function writeOldBlocks(db: Database.Database, backbone: number, tileIds: readonly number[], view = 0, order: (ids: number[]) => number[] = (ids) => ids): void {
  const addBlock = db.prepare(`INSERT INTO embedding_blocks (backbone_id, view, dtype, count, tile_ids, vectors) VALUES (?, ?, 'float32', ?, ?, ?)`);
  const addIndex = db.prepare(`INSERT INTO embeddings (backbone_id, tile_id, view, view_name, block_id, slot) VALUES (?, ?, ?, 'original', ?, ?)`);
  for (let start = Math.floor((tileIds.length - 1) / 10) * 10; start >= 0; start -= 10) {
    const ids = order(tileIds.slice(start, start + 10));
    const vectors = new Float32Array(ids.length * DIM);
    ids.forEach((tileId, i) => vectors.set(vectorOf(tileId, backbone), i * DIM));
    const blockId = Number(addBlock.run(backbone, view, ids.length, Buffer.from(Int32Array.from(ids).buffer), Buffer.from(vectors.buffer)).lastInsertRowid);
    ids.forEach((tileId, slot) => addIndex.run(backbone, tileId, view, blockId, slot));
  }
}

function scanned(repo: EmbeddingsRepo, backbone: number, parallelFrom: number, view = 0): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (const chunk of repo.scan(backbone, DIM, view, 4096, parallelFrom)) {
    for (let i = 0; i < chunk.count; i++) out.push([chunk.tileIds[i]!, Array.from(chunk.vectors.subarray(i * DIM, (i + 1) * DIM))]);
  }
  return out;
}

const expected = (tileIds: readonly number[], backbone: number) => tileIds.map((t): [number, number[]] => [t, Array.from(vectorOf(t, backbone))]);
const ranges = (db: Database.Database, backbone: number) =>
  db.prepare('SELECT r.block_id AS block, r.first_tile AS first, r.last_tile AS last, r.count, r.dropped FROM embedding_block_ranges r WHERE backbone_id = ? ORDER BY first_tile').all(backbone) as Array<{ block: number; first: number; last: number; count: number; dropped: number }>;

describe('block tile ranges', () => {
  it('migrate a schema-7 project: a range per block, deleted slots counted, a block out of order left to its header', () => {
    const file = path.join(tempDir(), 'old.histo');
    const raw = new Database(file);
    raw.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    for (const m of migrations.filter((m) => m.version <= 7)) {
      raw.exec(m.sql);
      m.run?.(raw);
    }
    raw.pragma('user_version = 7');
    const tileIds = addBasics(raw, 95);
    writeOldBlocks(raw, 1, tileIds);
    writeOldBlocks(raw, 2, tileIds);
    // View 1 of backbone 2: one block whose tile ids do not ascend (older code could write that).
    writeOldBlocks(raw, 2, tileIds.slice(0, 20), 1, (ids) => (ids[0] === tileIds[0] ? [...ids].reverse() : ids));
    raw.prepare('DELETE FROM embeddings WHERE backbone_id = 2 AND view = 0 AND tile_id = ?').run(tileIds[33]);
    raw.close();

    const store = ProjectStore.open(file);
    try {
      expect(store.schemaVersion).toBe(8);
      const first = ranges(store.db, 1);
      expect(first.map((r) => [r.first, r.last, r.count, r.dropped])).toEqual(Array.from({ length: 10 }, (_, b) => [tileIds[b * 10], tileIds[Math.min(b * 10 + 9, 94)], b === 9 ? 5 : 10, 0]));
      expect(ranges(store.db, 2).filter((r) => r.dropped > 0).map((r) => [r.first, r.dropped])).toEqual([[tileIds[30], 1]]);
      expect(store.db.prepare('SELECT count(*) FROM embedding_block_ranges WHERE backbone_id = 2 AND view = 1').pluck().get()).toBe(1);

      const repo = new EmbeddingsRepo(store.db);
      for (const parallelFrom of [SERIAL, PARALLEL]) {
        expect(scanned(repo, 1, parallelFrom)).toEqual(expected(tileIds, 1));
        expect(scanned(repo, 2, parallelFrom)).toEqual(expected(tileIds.filter((_, i) => i !== 33), 2));
        expect(scanned(repo, 2, parallelFrom, 1)).toEqual(expected(tileIds.slice(0, 20), 2));
      }
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
    }
  });

  it('follow every write and delete: a range per new block, deleted tiles counted, a block gone with its range', () => {
    const store = ProjectStore.create(path.join(tempDir(), 'p.histo'));
    try {
      const tileIds = addBasics(store.db, 30);
      const repo = new EmbeddingsRepo(store.db);
      for (let start = 0; start < 30; start += 10) {
        repo.insertBatch(1, 'float32', tileIds.slice(start, start + 10).map((tileId) => ({ tileId, view: 0, viewName: 'original', vector: vectorOf(tileId, 1) })));
      }
      expect(ranges(store.db, 1).map((r) => [r.first, r.last, r.count, r.dropped])).toEqual([0, 10, 20].map((s) => [tileIds[s], tileIds[s + 9], 10, 0]));
      store.db.prepare('DELETE FROM tiles WHERE id = ?').run(tileIds[4]);
      expect(ranges(store.db, 1).map((r) => r.dropped)).toEqual([1, 0, 0]);
      store.db.prepare(`DELETE FROM tiles WHERE id BETWEEN ? AND ?`).run(tileIds[10], tileIds[19]);
      expect(ranges(store.db, 1).map((r) => r.first)).toEqual([tileIds[0], tileIds[20]]);
      expect(store.db.prepare('SELECT count(*) FROM embedding_blocks').pluck().get()).toBe(2);
      const left = tileIds.filter((_, i) => i !== 4 && (i < 10 || i >= 20));
      for (const parallelFrom of [SERIAL, PARALLEL]) expect(scanned(repo, 1, parallelFrom)).toEqual(expected(left, 1));
      expect(() => repo.writeBlock(1, 0, 'float32', [tileIds[25]!, tileIds[21]!], ['original', 'original'], Buffer.alloc(2 * DIM * 4))).toThrow(/tile ids must ascend/);
    } finally {
      store.close();
    }
  });

  it('scan a block without its range from its header, and name a block whose tile ids contradict its range', () => {
    const store = ProjectStore.create(path.join(tempDir(), 'p.histo'));
    try {
      const tileIds = addBasics(store.db, 40);
      const repo = new EmbeddingsRepo(store.db);
      for (let start = 0; start < 40; start += 10) {
        repo.insertBatch(1, 'float32', tileIds.slice(start, start + 10).map((tileId) => ({ tileId, view: 0, viewName: 'original', vector: vectorOf(tileId, 1) })));
      }
      const [a, b] = store.db.prepare('SELECT id FROM embedding_blocks ORDER BY id LIMIT 2').pluck().all() as number[];
      store.db.prepare('DELETE FROM embedding_block_ranges WHERE block_id = ?').run(a);
      for (const parallelFrom of [SERIAL, PARALLEL]) expect(scanned(repo, 1, parallelFrom)).toEqual(expected(tileIds, 1));

      const ids = store.db.prepare('SELECT tile_ids FROM embedding_blocks WHERE id = ?').pluck().get(b) as Buffer;
      const shuffled = Int32Array.from(new Int32Array(ids.buffer.slice(ids.byteOffset, ids.byteOffset + ids.byteLength))).reverse();
      store.db.prepare('UPDATE embedding_blocks SET tile_ids = ? WHERE id = ?').run(Buffer.from(shuffled.buffer), b);
      for (const parallelFrom of [SERIAL, PARALLEL]) {
        expect(() => scanned(repo, 1, parallelFrom)).toThrow(new RegExp(`stored vector block ${b}: its 10 tile ids do not match its recorded range .*damaged`));
      }
    } finally {
      store.close();
    }
  });
});
