import { afterEach, describe, expect, it } from 'vitest';
import { HistoCore } from '../../../src-main/core/histo-core';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';
import { exactTopK } from '../../../src-main/core/search/exact-search';
import { Int8MatMul } from '../../../src-main/core/search/int8-matmul';
import { QuantizedIndex } from '../../../src-main/core/search/quantized-index';
import { TasksRepo } from '../../../src-main/core/project/repos/tasks-repo';
import { BackbonesRepo } from '../../../src-main/core/project/repos/backbones-repo';
import { loadTaskDataset } from '../../../src-main/core/training/load-task-dataset';
import { fileDigest } from '../../helpers/file-digest';
import { useTempDir } from '../../helpers/temp-dir';
import { clusteredProject } from './clustered-project';

const tempDir = useTempDir();
let core: HistoCore | null = null;
afterEach(() => {
  core?.close();
  core = null;
});

function openCore(dir: string, opts?: Parameters<typeof clusteredProject>[1]) {
  const project = clusteredProject(dir, opts);
  core = new HistoCore();
  core.useProject(project.store);
  return { core, ...project };
}

/** Cosine top-k by a plain float64 scan of every row: what exact search must reproduce. */
function bruteForce(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const q = norm(query);
  return vectors
    .map((v, row) => ({ row, s: v.reduce((s, x, j) => s + x * query[j]!, 0) / (norm(v) * q) }))
    .sort((a, b) => b.s - a.s || a.row - b.row)
    .slice(0, k)
    .map((r) => r.row);
}

/** The stored vectors of index rows, as exact search asks for them, from an in-memory list. */
function exactFrom(vectors: Float32Array[], dim: number) {
  return (rows: readonly number[]) => {
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => out.set(vectors[r]!, i * dim));
    return out;
  };
}

describe('exact search', () => {
  it('returns exactly the top-k of a float scan of every row, on random vectors', async () => {
    const dim = 96;
    const random = seededRandom(3);
    const vectors = Array.from({ length: 3000 }, () => Float32Array.from({ length: dim }, () => random() * 2 - 1));
    const index = new QuantizedIndex(dim);
    vectors.forEach((v, i) => index.add(i + 1, v));
    const matmul = await Int8MatMul.open(dim);
    try {
      const exact = exactFrom(vectors, dim);
      for (let q = 0; q < 5; q++) {
        const query = Float32Array.from({ length: dim }, () => random() * 2 - 1);
        const found = await exactTopK(index, matmul, query, 50, exact);
        expect(found.map((f) => f.row)).toEqual(bruteForce(vectors, query, 50));
      }
    } finally {
      await matmul.close();
    }
  });
});

describe('the quantised index', () => {
  it('keeps every row within its residual when built a block at a time, and refuses tiles out of order', () => {
    const dim = 64;
    const random = seededRandom(9);
    const rows = 700;
    const vectors = Float32Array.from({ length: rows * dim }, () => (random() * 2 - 1) * 30);
    vectors.fill(0, 5 * dim, 6 * dim); // an all-zero vector never matches
    const index = new QuantizedIndex(dim);
    const ids = Int32Array.from({ length: rows }, (_, i) => 10 + 3 * i);
    index.addBlock(ids.subarray(0, 400), vectors, 400);
    index.addBlock(ids.subarray(400), vectors.subarray(400 * dim), rows - 400);
    expect(index.count).toBe(rows);
    expect(index.rowOf(10 + 3 * 650)).toBe(650);
    expect(index.rowOf(11)).toBe(-1);
    const block = index.blocks[0]!;
    for (let r = 0; r < rows; r++) {
      const v = vectors.subarray(r * dim, (r + 1) * dim);
      const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
      if (norm === 0) {
        expect(block.scales[r]).toBe(0);
        continue;
      }
      let lost = 0;
      let largest = 0;
      for (let i = 0; i < dim; i++) {
        const code = block.codes[r * dim + i]! - 128;
        largest = Math.max(largest, Math.abs(code));
        lost += (v[i]! / norm - code * block.scales[r]!) ** 2;
      }
      // The largest magnitude maps to 127, and what rounding lost stays inside the bound exact search relies on.
      expect(largest).toBe(127);
      expect(Math.sqrt(lost)).toBeLessThanOrEqual(index.maxResidual + 1e-6);
    }
    expect(() => index.addBlock([5], vectors, 1)).toThrow(/tile 5 added out of order/);
    expect(index.count).toBe(rows);
  });
});

describe('search.run', () => {
  it('finds the query tile first and then its whole cluster, within the filters', async () => {
    const { core, clusters, clusterOf, slideIds } = openCore(tempDir());
    const query = clusters[1]![7]!;
    const out = await core.dispatch('search.run', { backbone: 'clustered', query: { kind: 'tile', tileId: query }, k: clusters[1]!.length });
    expect(out.ok, JSON.stringify(out)).toBe(true);
    const { results, queryTileIds } = (out as { result: { results: Array<{ tileId: number; similarity: number; slideId: number }>; queryTileIds: number[] } }).result;
    expect(queryTileIds).toEqual([query]);
    expect(results[0]).toMatchObject({ tileId: query });
    expect(results[0]!.similarity).toBeCloseTo(1, 5);
    expect(results.map((r) => clusterOf.get(r.tileId))).toEqual(results.map(() => 1));
    expect(new Set(results.map((r) => r.tileId))).toEqual(new Set(clusters[1]));
    const similarities = results.map((r) => r.similarity);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));

    const onSlide = await core.dispatch('search.run', { backbone: 'clustered', query: { kind: 'tile', tileId: query }, k: 10, filters: { slideIds: [slideIds[0]!] } });
    const filtered = (onSlide as { result: { results: Array<{ slideId: number; tileId: number }> } }).result.results;
    expect(filtered).toHaveLength(10);
    expect(filtered.every((r) => r.slideId === slideIds[0] && clusterOf.get(r.tileId) === 1)).toBe(true);
  });

  it('queries by a drawn region: the mean of the tiles it covers', async () => {
    const { core, clusterOf, slideIds } = openCore(tempDir());
    // Tiles (0,0) and (64,0) of slide 0 belong to different clusters: their mean sits between them.
    const out = await core.dispatch('search.run', { backbone: 'clustered', query: { kind: 'region', slideId: slideIds[0]!, x: 0, y: 0, width: 200, height: 64 }, k: 5 });
    expect(out.ok, JSON.stringify(out)).toBe(true);
    const result = (out as { result: { queryTileIds: number[]; results: Array<{ tileId: number }> } }).result;
    expect(result.queryTileIds.length).toBeGreaterThan(1);
    expect(result.results).toHaveLength(5);
    const queryClusters = new Set(result.queryTileIds.map((t) => clusterOf.get(t)));
    expect(result.results.every((r) => queryClusters.has(clusterOf.get(r.tileId)!))).toBe(true);
  });

  it('labels selected results as a class (source search), and training sees them', async () => {
    const { core, store, clusters, backboneId } = openCore(tempDir());
    new TasksRepo(store.db).create('tissue', ['a', 'b']);
    const found = await core.dispatch('search.run', { backbone: backboneId, query: { kind: 'tile', tileId: clusters[0]![0]! }, k: 20 });
    const tileIds = (found as { result: { results: Array<{ tileId: number }> } }).result.results.map((r) => r.tileId);
    const labelled = await core.dispatch('search.label', { task: 'tissue', className: 'a', tileIds, source: 'search' });
    expect(labelled).toEqual({ ok: true, result: { labelled: 20, task: 'tissue', className: 'a' } });
    const sources = store.db.prepare('SELECT DISTINCT source FROM labels').all();
    expect(sources).toEqual([{ source: 'search' }]);
    const dataset = loadTaskDataset(store, new TasksRepo(store.db).require('tissue'), new BackbonesRepo(store.db).get(backboneId)!, { groupBy: 'none' });
    expect([...dataset.tileIds].sort((a, b) => a - b)).toEqual([...tileIds].sort((a, b) => a - b));

    const unlabelled = await core.dispatch('search.run', { backbone: backboneId, query: { kind: 'tile', tileId: clusters[0]![0]! }, k: 30, filters: { labelState: { task: 'tissue', state: 'unlabelled' } }, task: 'tissue' });
    const rest = (unlabelled as { result: { results: Array<{ tileId: number; label?: string }> } }).result.results;
    expect(rest.some((r) => tileIds.includes(r.tileId))).toBe(false);
    expect(rest.every((r) => r.label === undefined)).toBe(true);
  });

  it.each([
    ['k = 0', { k: 0 }, /k must be at least 1/],
    ['an absurd k', { k: 1e9 }, /k must be at most 10000/],
    ['an unknown tile', { query: { kind: 'tile', tileId: 999_999 } }, /no tile 999999 in this project/],
    ['a backbone with no stored vectors', { backbone: 'empty' }, /backbone 'empty' has no stored vectors/],
    ['an image that is not an image', { query: { kind: 'image', path: '/etc/hostname' } }, /hostname/],
  ])('refuses %s with a one-line error and changes nothing', async (_name, override, message) => {
    const { core, file, clusters, store } = openCore(tempDir());
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fileDigest(file);
    const out = await core.dispatch('search.run', { backbone: 'clustered', query: { kind: 'tile', tileId: clusters[0]![0]! }, k: 5, ...override });
    expect(out.ok).toBe(false);
    const error = (out as { error: { message: string } }).error.message;
    expect(error).toMatch(message);
    expect(error.split('\n')).toHaveLength(1);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(fileDigest(file)).toBe(before);
  });

  it('refuses to label with a class the task lacks, or unknown tiles, and writes nothing', async () => {
    const { core, store, clusters } = openCore(tempDir());
    new TasksRepo(store.db).create('tissue', ['a', 'b']);
    const wrongClass = await core.dispatch('search.label', { task: 'tissue', className: 'zzz', tileIds: [clusters[0]![0]!], source: 'map' });
    expect(wrongClass).toMatchObject({ ok: false, error: { message: expect.stringMatching(/task 'tissue' has no class 'zzz'/) } });
    const unknown = await core.dispatch('search.label', { task: 'tissue', className: 'a', tileIds: [clusters[0]![0]!, 777_777], source: 'map' });
    expect(unknown).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no tile 777777/) } });
    expect(store.db.prepare('SELECT count(*) AS n FROM labels').get()).toEqual({ n: 0 });
  });
});

describe('exact search over an index built a block at a time', () => {
  it('builds an index whose exact top-k, filtered or not, equals a float scan of the allowed rows', async () => {
    const dim = 64;
    const random = seededRandom(5);
    const vectors = Array.from({ length: 2500 }, () => Float32Array.from({ length: dim }, () => random() * 2 - 1));
    const index = new QuantizedIndex(dim);
    // Uneven blocks, as the store's chunks come: the index must not depend on where they split.
    for (let start = 0, size = 1; start < vectors.length; start += size, size = size * 3 + 1) {
      const count = Math.min(size, vectors.length - start);
      const block = new Float32Array(count * dim);
      for (let i = 0; i < count; i++) block.set(vectors[start + i]!, i * dim);
      index.addBlock(Int32Array.from({ length: count }, (_, i) => 10 * (start + i) + 1), block, count);
    }
    expect(index.count).toBe(vectors.length);
    expect(index.rowOf(10 * 1234 + 1)).toBe(1234);
    expect(() => index.addBlock(Int32Array.of(5), new Float32Array(dim), 1)).toThrow(/out of order/);
    const matmul = await Int8MatMul.open(dim);
    try {
      const exact = exactFrom(vectors, dim);
      const allowed = Uint8Array.from(vectors, (_, row) => (row % 3 === 1 ? 1 : 0));
      const allowedRows = vectors.map((_, row) => row).filter((row) => allowed[row]);
      for (let q = 0; q < 4; q++) {
        const query = Float32Array.from({ length: dim }, () => random() * 2 - 1);
        const all = await exactTopK(index, matmul, query, 40, exact);
        expect(all.map((f) => f.row)).toEqual(bruteForce(vectors, query, 40));
        const filtered = await exactTopK(index, matmul, query, 40, exact, allowed);
        const truth = bruteForce(allowedRows.map((row) => vectors[row]!), query, 40).map((i) => allowedRows[i]!);
        expect(filtered.map((f) => f.row)).toEqual(truth);
      }
    } finally {
      await matmul.close();
    }
  });
});
