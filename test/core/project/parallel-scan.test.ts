import path from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { blocksDecodedByHelpers } from '../../../src-main/core/embeddings/parallel-block-decoder';
import { fromHalf, toHalf } from '../../../src-main/core/embeddings/vector-codec';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { EmbeddingsRepo, type EmbeddingRow } from '../../../src-main/core/project/repos/embeddings-repo';
import { useTempDir } from '../../helpers/temp-dir';

// Scans of stored vectors on helper threads (parallel-block-decoder.ts) against the same scan on
// the calling thread: the same tiles and the same floats, whatever happens to the scan.
const tempDir = useTempDir();
const DIM = 16;
const SERIAL = Infinity;
const PARALLEL = 0;

function vectorOf(tileId: number): Float32Array {
  return Float32Array.from({ length: DIM }, (_, d) => fromHalf(toHalf(Math.sin(tileId * 31 + d) * 3)));
}

/** A project of one backbone whose `tiles` tiles are stored in blocks of uneven sizes, float16 and float32. */
function project(tiles: number): { store: ProjectStore; tileIds: number[] } {
  const store = ProjectStore.create(path.join(tempDir(), 'p.histo'));
  const db: Database.Database = store.db;
  const now = new Date().toISOString();
  db.prepare(`INSERT INTO backbones (id, name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES (1, 'gen', 'none', '0', 32, '[0,0,0]', '[1,1,1]', 'input', 'output', ?, ?)`).run(DIM, now);
  db.prepare(`INSERT INTO slides (id, path, fingerprint, format, width, height, levels_json, added_at) VALUES (1, '/gen/a.tif', 'fp', 'tiff', 4096, 4096, '[]', ?)`).run(now);
  db.prepare(`INSERT INTO tilings (id, slide_id, tile_size, params_key, created_at) VALUES (1, 1, 32, 'k', ?)`).run(now);
  const add = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (1, ?, 0, 32, 32, 1)');
  const tileIds = Array.from({ length: tiles }, (_, i) => Number(add.run(i * 32).lastInsertRowid));
  const repo = new EmbeddingsRepo(db);
  const rows = (ids: number[]): EmbeddingRow[] => ids.map((tileId) => ({ tileId, view: 0, viewName: 'original', vector: vectorOf(tileId) }));
  for (let start = 0, b = 0; start < tiles; b++) {
    const size = [37, 5, 64, 1, 20][b % 5]!;
    repo.insertBatch(1, b % 4 === 3 ? 'float32' : 'float16', rows(tileIds.slice(start, start + size)));
    start += size;
  }
  return { store, tileIds };
}

/** Every scanned tile and its vector, copied (a chunk's buffers are reused). */
function scanned(repo: EmbeddingsRepo, parallelFrom: number, stopAfter = Infinity): { tiles: number[]; vectors: Float32Array[] } {
  const tiles: number[] = [];
  const vectors: Float32Array[] = [];
  let chunks = 0;
  for (const chunk of repo.scan(1, DIM, 0, 4096, parallelFrom)) {
    for (let i = 0; i < chunk.count; i++) {
      tiles.push(chunk.tileIds[i]!);
      vectors.push(chunk.vectors.slice(i * DIM, (i + 1) * DIM));
    }
    if (++chunks >= stopAfter) break;
  }
  return { tiles, vectors };
}

describe('parallel scan of stored vectors', () => {
  it('gives the tiles and floats of the serial scan, also after a scan left early and beside a second scan', () => {
    const { store, tileIds } = project(1_000);
    try {
      const repo = new EmbeddingsRepo(store.db);
      const serial = scanned(repo, SERIAL);
      expect(serial.tiles).toEqual(tileIds);
      expect(serial.vectors[123]).toEqual(vectorOf(tileIds[123]!));
      const before = blocksDecodedByHelpers();
      expect(scanned(repo, PARALLEL)).toEqual(serial);
      const blocks = store.db.prepare('SELECT count(*) FROM embedding_blocks').pluck().get() as number;
      expect(blocksDecodedByHelpers() - before).toBe(blocks);

      // Left after 3 blocks: the helpers stop, and the next scan gets all of them again.
      expect(scanned(repo, PARALLEL, 3).tiles).toEqual(tileIds.slice(0, 37 + 5 + 64));
      expect(scanned(repo, PARALLEL)).toEqual(serial);

      // Two scans interleaved on one thread (a load suspended between chunks): the second reads on its own.
      const first = repo.scan(1, DIM, 0, 4096, PARALLEL);
      const second = repo.scan(1, DIM, 0, 4096, PARALLEL);
      const a: number[] = [];
      const b: number[] = [];
      for (;;) {
        const x = first.next();
        const y = second.next();
        if (!x.done) a.push(...Array.from(x.value.tileIds));
        if (!y.done) b.push(...Array.from(y.value.tileIds));
        if (!x.done && !y.done) expect(x.value.vectors.slice(0, DIM)).toEqual(y.value.vectors.slice(0, DIM));
        if (x.done && y.done) break;
      }
      expect(a).toEqual(tileIds);
      expect(b).toEqual(tileIds);
    } finally {
      store.close();
    }
  });

  it('reports a damaged block as the serial scan does, and leaves the helpers ready for the next scan', () => {
    const { store, tileIds } = project(300);
    try {
      const repo = new EmbeddingsRepo(store.db);
      const blockId = (store.db.prepare('SELECT id FROM embedding_blocks ORDER BY id LIMIT 1 OFFSET 2').pluck().get() as number);
      const saved = store.db.prepare('SELECT vectors FROM embedding_blocks WHERE id = ?').pluck().get(blockId) as Buffer;
      store.db.prepare('UPDATE embedding_blocks SET vectors = ? WHERE id = ?').run(saved.subarray(0, saved.byteLength - 2), blockId);
      const message = `stored vector block ${blockId} has ${saved.byteLength - 2} bytes, expected ${saved.byteLength} (64 x ${DIM}-d float16)`;
      expect(() => scanned(repo, SERIAL)).toThrow(message);
      expect(() => scanned(repo, PARALLEL)).toThrow(message);
      store.db.prepare('UPDATE embedding_blocks SET vectors = ? WHERE id = ?').run(saved, blockId);
      expect(scanned(repo, PARALLEL).tiles).toEqual(tileIds);
    } finally {
      store.close();
    }
  });

  it('skips the slots of a deleted tile as the serial scan does', () => {
    const { store, tileIds } = project(300);
    try {
      const repo = new EmbeddingsRepo(store.db);
      store.db.prepare('DELETE FROM embeddings WHERE tile_id = ?').run(tileIds[40]);
      const serial = scanned(repo, SERIAL);
      expect(serial.tiles).toEqual(tileIds.filter((_, i) => i !== 40));
      expect(scanned(repo, PARALLEL)).toEqual(serial);
    } finally {
      store.close();
    }
  });
});
