import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BLOCK_TILES } from '../../../src-main/core/embeddings/embedding-blocks';
import { decodeHalvesInto, fromHalf, type VectorDtype } from '../../../src-main/core/embeddings/vector-codec';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { EmbeddingsRepo, type EmbeddingMatrix, type EmbeddingRow } from '../../../src-main/core/project/repos/embeddings-repo';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const DIM = 8;

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Tiling 1: tiles 1..9000 (three blocks); tiling 2: tiles 9001..10000. */
function makeProject(): { store: ProjectStore; file: string } {
  const file = path.join(tempDir(), 'p.histo');
  const store = ProjectStore.create(file);
  store.db.exec(`INSERT INTO slides (path, fingerprint, format, width, height, levels_json, added_at) VALUES ('s', 'f', 'tiff', 1, 1, '[]', 'now');
    INSERT INTO tilings (slide_id, tile_size, params_key, created_at) VALUES (1, 224, 'a', 'now'), (1, 224, 'b', 'now');`);
  const tile = store.db.prepare('INSERT INTO tiles (id, tiling_id, x, y, width, height, tissue) VALUES (?, ?, ?, 0, 224, 224, 1)');
  store.db.transaction(() => {
    for (let id = 1; id <= 10_000; id++) tile.run(id, id <= 9000 ? 1 : 2, id);
  })();
  return { store, file };
}

function addBackbone(store: ProjectStore, name: string): number {
  return Number(
    store.db
      .prepare(
        `INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES (?, 'x', 'y', 224, '[0,0,0]', '[1,1,1]', 'i', 'o', ${DIM}, 'now')`,
      )
      .run(name).lastInsertRowid,
  );
}

/** Embeds a random ~70% of the given tiles (views 0..views-1 each), in shuffled batches of mixed dtype. */
function embed(store: ProjectStore, backboneId: number, tiles: number[], options: { seed: number; views?: number; dtypes?: VectorDtype[] }): void {
  const rand = random(options.seed);
  const rows: EmbeddingRow[] = [];
  for (const tileId of tiles) {
    if (rand() < 0.3) continue;
    for (let view = 0; view < (options.views ?? 1); view++) {
      if (view > 0 && rand() < 0.4) continue; // not every tile has every view
      rows.push({ tileId, view, viewName: view ? `aug${view}` : 'original', vector: new Float32Array(DIM).map(() => (rand() - 0.5) * 10) });
    }
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const repo = new EmbeddingsRepo(store.db);
  const dtypes = options.dtypes ?? ['float32'];
  for (let i = 0, b = 0; i < rows.length; i += 500, b++) repo.insertBatch(backboneId, dtypes[b % dtypes.length]!, rows.slice(i, i + 500));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function bytes(a: Float32Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function expectSame(actual: EmbeddingMatrix, expected: EmbeddingMatrix): void {
  expect(actual.dim).toBe(expected.dim);
  expect(actual.count).toBe(expected.count);
  expect(actual.tileIds.length).toBe(expected.count);
  expect(actual.views.length).toBe(expected.count);
  expect(actual.vectors.length).toBe(expected.count * expected.dim);
  expect(bytes(actual.tileIds).equals(bytes(expected.tileIds))).toBe(true);
  expect(bytes(actual.views).equals(bytes(expected.views))).toBe(true);
  expect(bytes(actual.vectors).equals(bytes(expected.vectors))).toBe(true);
}

type Options = { view?: number | null; tileIds?: readonly number[] };

/** loadMatrix (packed) against the row-by-row reference; returns the packed result. */
function check(repo: EmbeddingsRepo, backboneId: number, options: Options = {}): EmbeddingMatrix {
  const packed = repo.loadMatrix(backboneId, DIM, options);
  expectSame(packed, repo.loadMatrixFromRows(backboneId, DIM, options));
  return packed;
}

function blockRows(db: Database.Database): Array<{ rowid: number; backbone_id: number; view: number; block: number; row_count: number }> {
  return db.prepare('SELECT rowid, backbone_id, view, block, row_count FROM embedding_blocks ORDER BY backbone_id, view, block').all() as never;
}

function optionSets(rand: () => number): Options[] {
  const subset = (fraction: number) => range(1, 10_500).filter(() => rand() < fraction);
  return [
    {},
    { view: 0 },
    { view: 1 },
    { view: 2 },
    { view: 7 }, // no such view
    { view: null },
    { tileIds: subset(0.5) },
    { tileIds: subset(0.5), view: null },
    { tileIds: subset(0.5), view: 2 },
    { tileIds: subset(0.02) }, // sparse: read row by row
    { tileIds: subset(0.02), view: null },
    { tileIds: range(BLOCK_TILES - 300, BLOCK_TILES + 300) }, // across a block boundary
    { tileIds: range(2 * BLOCK_TILES - 3000, 2 * BLOCK_TILES + 3000), view: null },
    { tileIds: [...range(1, 20), 5, 5, 99_999, 0, ...range(4000, 4200).reverse()] }, // duplicates, unknown ids, unordered
    { tileIds: [] },
  ];
}

describe('EmbeddingsRepo.loadMatrix through packed blocks', () => {
  it('equals the row path on random float32 and float16 data, any view, tile subsets and block boundaries', () => {
    const { store } = makeProject();
    try {
      const b32 = addBackbone(store, 'f32');
      const b16 = addBackbone(store, 'f16');
      const mixed = addBackbone(store, 'mixed');
      embed(store, b32, range(1, 10_000), { seed: 1, views: 3 });
      embed(store, b16, range(1, 10_000), { seed: 2, views: 3, dtypes: ['float16'] });
      embed(store, mixed, range(3000, 9500), { seed: 3, views: 2, dtypes: ['float32', 'float16'] });
      const repo = new EmbeddingsRepo(store.db);
      const rand = random(7);
      for (const backboneId of [b32, b16, mixed]) {
        for (const options of optionSets(rand)) {
          check(repo, backboneId, options); // cold: builds blocks
          check(repo, backboneId, options); // warm: reads them
        }
      }
      const blocks = blockRows(store.db);
      expect(blocks.length).toBeGreaterThan(0);
      expect(new Set(blocks.map((b) => b.view))).toEqual(new Set([-1, 0, 1, 2]));
      // A further round rewrites nothing: every block is fresh.
      for (const backboneId of [b32, b16, mixed]) for (const options of optionSets(random(7))) check(repo, backboneId, options);
      expect(blockRows(store.db)).toEqual(blocks);
      // Whole loads find everything.
      expect(repo.loadMatrix(b32, DIM, { view: null }).count).toBe(repo.count(b32));
    } finally {
      store.close();
    }
  });

  it('reads the stored blocks when they are fresh (a tampered block shows through)', () => {
    const { store } = makeProject();
    try {
      const b = addBackbone(store, 'b');
      embed(store, b, range(1, 3000), { seed: 4 });
      const repo = new EmbeddingsRepo(store.db);
      const first = check(repo, b);
      expect(blockRows(store.db)).toEqual([expect.objectContaining({ backbone_id: b, view: 0, block: 0, row_count: first.count })]);
      const tampered = Buffer.alloc(first.count * DIM * 4, 0);
      store.db.prepare('UPDATE embedding_blocks SET vectors = ?').run(tampered);
      const second = repo.loadMatrix(b, DIM);
      expect(Array.from(second.tileIds)).toEqual(Array.from(first.tileIds));
      expect(second.vectors.every((v) => v === 0)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('sees rows inserted into an already packed block, and rows of a new backbone', () => {
    const { store } = makeProject();
    try {
      const b = addBackbone(store, 'b');
      embed(store, b, range(1, 6000), { seed: 5, views: 2 });
      const repo = new EmbeddingsRepo(store.db);
      const before = check(repo, b);
      check(repo, b, { view: null });
      // Tiles the first run skipped, in blocks 0 and 1, and a new block 2.
      const have = new Set(before.tileIds);
      const missing = range(1, 9000).filter((id) => !have.has(id));
      embed(store, b, missing, { seed: 6, views: 2, dtypes: ['float16'] });
      const after = check(repo, b);
      expect(after.count).toBeGreaterThan(before.count);
      check(repo, b, { view: null });
      check(repo, b, { tileIds: missing });
      // One more row in a packed block: count and max(id) move.
      const last = missing[missing.length - 1]!;
      new EmbeddingsRepo(store.db).insertBatch(b, 'float32', [{ tileId: last, view: 5, viewName: 'aug5', vector: new Float32Array(DIM).fill(3) }]);
      const withView = check(repo, b, { view: null });
      expect(withView.views.includes(5)).toBe(true);
      // A conflicting insert changes nothing.
      new EmbeddingsRepo(store.db).insertBatch(b, 'float32', [{ tileId: last, view: 5, viewName: 'aug5', vector: new Float32Array(DIM).fill(4) }]);
      expectSame(repo.loadMatrix(b, DIM, { view: null }), withView);
      // A second backbone leaves the first one's blocks alone, and loads its own rows.
      const blocks = blockRows(store.db);
      const other = addBackbone(store, 'other');
      embed(store, other, range(1, 10_000), { seed: 8, dtypes: ['float16'] });
      check(repo, other);
      check(repo, other, { view: null });
      expectSame(repo.loadMatrix(b, DIM), after);
      expect(blockRows(store.db).filter((r) => r.backbone_id === b)).toEqual(blocks);
    } finally {
      store.close();
    }
  });

  it('sees tiles deleted by cascade, and drops the blocks of a deleted backbone', () => {
    const { store } = makeProject();
    try {
      const b = addBackbone(store, 'b');
      const other = addBackbone(store, 'other');
      embed(store, b, range(1, 10_000), { seed: 9, views: 2 });
      embed(store, other, range(1, 10_000), { seed: 10 });
      const repo = new EmbeddingsRepo(store.db);
      const subset = range(8000, 9500);
      for (const backboneId of [b, other]) {
        check(repo, backboneId);
        check(repo, backboneId, { view: null });
        check(repo, backboneId, { tileIds: subset });
      }
      // Tiling 2 (tiles 9001..10000, all in block 2) goes, with its embeddings.
      store.db.prepare('DELETE FROM tilings WHERE id = 2').run();
      const after = check(repo, b);
      expect(Math.max(...after.tileIds)).toBeLessThanOrEqual(9000);
      check(repo, b, { view: null });
      const part = check(repo, b, { tileIds: subset });
      expect(part.tileIds.every((id) => id <= 9000)).toBe(true);
      // Single tiles too, including the one with the highest embedding id of a block.
      const top = store.db.prepare('SELECT tile_id FROM embeddings WHERE backbone_id = ? ORDER BY id DESC LIMIT 1').pluck().get(b) as number;
      store.db.prepare('DELETE FROM tiles WHERE id IN (?, 17, 4097)').run(top);
      check(repo, b);
      check(repo, b, { view: null });
      check(repo, other);
      store.db.prepare('DELETE FROM backbones WHERE id = ?').run(other);
      expect(blockRows(store.db).every((r) => r.backbone_id === b)).toBe(true);
      expect(repo.loadMatrix(other, DIM).count).toBe(0);
    } finally {
      store.close();
    }
  });

  it('falls back to the rows on a read-only connection, inside a transaction, and without the blocks table', () => {
    const { store, file } = makeProject();
    const b = addBackbone(store, 'b');
    embed(store, b, range(1, 10_000), { seed: 11, views: 2, dtypes: ['float16', 'float32'] });
    const repo = new EmbeddingsRepo(store.db);
    check(repo, b); // packs view 0
    embed(store, b, range(1, 10_000), { seed: 12, views: 3 }); // adds rows: those packs are now stale
    store.close();

    const readonly = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const roRepo = new EmbeddingsRepo(readonly);
      const before = blockRows(readonly);
      const rand = random(13);
      for (const options of optionSets(rand)) check(roRepo, b, options);
      expect(blockRows(readonly)).toEqual(before);
    } finally {
      readonly.close();
    }

    const reopened = ProjectStore.open(file);
    try {
      const db = reopened.db;
      const rwRepo = new EmbeddingsRepo(db);
      const before = blockRows(db);
      db.transaction(() => check(rwRepo, b, { view: null }))();
      expect(blockRows(db)).toEqual(before); // nothing written inside a caller's transaction
      check(rwRepo, b, { view: null });
      expect(blockRows(db).some((r) => r.view === -1)).toBe(true);
      // A project file without the table (made before it existed) loads from the rows.
      db.exec('DROP TABLE embedding_blocks');
      const noTable = new EmbeddingsRepo(db);
      for (const options of optionSets(random(14))) check(noTable, b, options);
    } finally {
      reopened.close();
    }
  });

  it('refuses a stored vector of the wrong dimension, as the row path does', () => {
    const { store } = makeProject();
    try {
      const b = addBackbone(store, 'b');
      embed(store, b, range(1, 500), { seed: 15 });
      const repo = new EmbeddingsRepo(store.db);
      expect(() => repo.loadMatrix(b, DIM * 2)).toThrow(/has 32 bytes, expected 64/);
      expect(() => repo.loadMatrix(b, DIM * 2, { tileIds: range(1, 500) })).toThrow(/has 32 bytes, expected 64/);
      check(repo, b);
    } finally {
      store.close();
    }
  });
});

describe('decodeHalvesInto', () => {
  it('decodes every half exactly as fromHalf, from a buffer at an odd offset', () => {
    const pool = Buffer.alloc(65536 * 2 + 1);
    for (let h = 0; h < 65536; h++) pool.writeUInt16LE(h, 1 + h * 2);
    const out = new Float32Array(65536 + 3);
    decodeHalvesInto(pool.subarray(1), 65536, out, 3);
    const expected = new Float32Array(65536 + 3);
    for (let h = 0; h < 65536; h++) expected[3 + h] = fromHalf(h);
    expect(bytes(out).equals(bytes(expected))).toBe(true);
  });
});
