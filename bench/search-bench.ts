// Search by example and the study map at scale, on generated embeddings with clusters:
//  - exact top-50 over N (default 1,000,000) 1280-d vectors after the first load: int8 products by
//    ONNX Runtime (MLAS), then exact rescoring; recall@50 against a plain float scan of every row;
//  - a 2-D map of M (default 100,000) tiles.
//   node scripts/run-ts.mjs bench/search-bench.ts [--rows 1000000] [--dim 1280] [--queries 10] [--map-tiles 100000] [--load-rows 100000] [--skip-search] [--skip-map]
// The vectors are generated row by row from a seed, so the rescoring step regenerates the exact
// rows it asks for instead of holding 5 GB of floats; loading from SQLite is measured separately
// (--load-rows) to give the first-load rate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddingsRepo, type EmbeddingRow } from '../src-main/core/project/repos/embeddings-repo';
import { ProjectStore } from '../src-main/core/project/project-store';
import { BackbonesRepo } from '../src-main/core/project/repos/backbones-repo';
import { computeMap } from '../src-main/core/map/compute-map';
import { loadQuantizedIndex } from '../src-main/core/search/stored-vectors';
import { mixSeed, seededRandom } from '../src-main/core/backbones/seeded-random';
import { Int8MatMul } from '../src-main/core/search/int8-matmul';
import { QuantizedIndex, normalizeInPlace } from '../src-main/core/search/quantized-index';
import { exactTopK } from '../src-main/core/search/exact-search';
import { TopK } from '../src-main/core/search/top-k';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const ROWS = option('--rows', 1_000_000);
const DIM = option('--dim', 1280);
const QUERIES = option('--queries', 10);
const MAP_TILES = option('--map-tiles', 100_000);
const LOAD_ROWS = option('--load-rows', 100_000);
const K = 50;
const CLUSTERS = 200;

const centers = new Float32Array(CLUSTERS * DIM);
{
  const random = seededRandom(7);
  for (let i = 0; i < centers.length; i++) centers[i] = random() * 2 - 1;
}

/** Row `row` of the generated store: its cluster's centre plus per-row noise, all from the seed. */
function generatedRow(row: number, out: Float32Array, offset = 0): void {
  const random = seededRandom(mixSeed(11, row));
  const c = (row % CLUSTERS) * DIM;
  for (let j = 0; j < DIM; j++) out[offset + j] = centers[c + j]! * 0.6 + (random() * 2 - 1);
}

function ms(start: number): number {
  return performance.now() - start;
}

async function benchSearch(): Promise<void> {
  console.log(`search: ${ROWS.toLocaleString()} x ${DIM}-d generated vectors (${CLUSTERS} clusters), ${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? '?'})`);
  const buildStart = performance.now();
  const index = new QuantizedIndex(DIM);
  // Built block by block, as the first load from the store does (loadQuantizedIndex -> addBlock).
  const chunkRows = 4096;
  const chunk = new Float32Array(chunkRows * DIM);
  const chunkIds = new Int32Array(chunkRows);
  for (let start = 0; start < ROWS; start += chunkRows) {
    const count = Math.min(chunkRows, ROWS - start);
    for (let i = 0; i < count; i++) {
      generatedRow(start + i, chunk, i * DIM);
      chunkIds[i] = start + i + 1;
    }
    index.addBlock(chunkIds, chunk, count);
  }
  console.log(`  index built in ${(ms(buildStart) / 1000).toFixed(1)} s (int8, ${(index.bytes / 2 ** 20).toFixed(0)} MiB; generation included)`);
  const matmul = await Int8MatMul.open(DIM);
  const exactVectors = (rows: readonly number[]) => {
    const out = new Float32Array(rows.length * DIM);
    rows.forEach((r, i) => generatedRow(r, out, i * DIM));
    return out;
  };
  const times: number[] = [];
  let recallSum = 0;
  for (let q = 0; q < QUERIES; q++) {
    const query = new Float32Array(DIM);
    generatedRow(ROWS + 17 * q + 3, query);
    const start = performance.now();
    const top = await exactTopK(index, matmul, query, K, exactVectors);
    times.push(ms(start));
    if (q < 1) recallSum += recallAgainstFloatScan(query, top.map((t) => t.row));
  }
  await matmul.close();
  times.sort((a, b) => a - b);
  const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!;
  console.log(`  exact top-${K}: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms over ${QUERIES} queries (target < 300 ms)`);
  console.log(`  recall@${K} against a float32 scan of every row: ${recallSum.toFixed(3)} (first query)`);
}

function recallAgainstFloatScan(query: Float32Array, found: number[]): number {
  const unit = Float32Array.from(query);
  normalizeInPlace(unit);
  const top = new TopK(K);
  const row = new Float32Array(DIM);
  for (let i = 0; i < ROWS; i++) {
    generatedRow(i, row);
    let dot = 0;
    let norm = 0;
    for (let j = 0; j < DIM; j++) {
      dot += row[j]! * unit[j]!;
      norm += row[j]! * row[j]!;
    }
    top.push(i, dot / Math.sqrt(norm));
  }
  const truth = new Set(top.sorted().map((t) => t.id));
  return found.filter((r) => truth.has(r)).length / K;
}

/** A project holding `rows` generated vectors (float16, as a compact project stores them) over 8 slides. */
function generatedProject(dir: string, rows: number): { store: ProjectStore; backboneId: number } {
  const store = ProjectStore.create(path.join(dir, 'bench.histo'));
  const db = store.db;
  const now = new Date().toISOString();
  const backboneId = Number(
    db
      .prepare(`INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES ('gen', 'none', '0', 224, '[0,0,0]', '[1,1,1]', 'input', 'output', ?, ?)`)
      .run(DIM, now).lastInsertRowid,
  );
  const tilings = Array.from({ length: 8 }, (_, s) => {
    const slideId = Number(db.prepare(`INSERT INTO slides (path, fingerprint, format, width, height, levels_json, added_at) VALUES (?, ?, 'tiff', 100000, 100000, '[]', ?)`).run(`/gen/slide-${s}.tif`, `fp${s}`, now).lastInsertRowid);
    return Number(db.prepare(`INSERT INTO tilings (slide_id, tile_size, params_key, created_at) VALUES (?, 224, 'k', ?)`).run(slideId, now).lastInsertRowid);
  });
  const addTile = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (?, ?, ?, 224, 224, 1)');
  const vectors = new EmbeddingsRepo(db);
  for (let start = 0; start < rows; start += 10_000) {
    db.transaction(() => {
      const batch: EmbeddingRow[] = [];
      for (let i = start; i < Math.min(rows, start + 10_000); i++) {
        const tileId = Number(addTile.run(tilings[i % 8]!, (i % 400) * 224, Math.floor(i / 400) * 224).lastInsertRowid);
        const row = new Float32Array(DIM);
        generatedRow(i, row);
        batch.push({ tileId, view: 0, viewName: 'original', vector: row });
      }
      vectors.insertBatch(backboneId, 'float16', batch);
    })();
  }
  return { store, backboneId };
}

async function benchLoadAndMap(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-search-bench-'));
  try {
    const rows = Math.max(MAP_TILES, LOAD_ROWS);
    console.log(`project: writing ${rows.toLocaleString()} generated ${DIM}-d float16 vectors over 8 slides...`);
    const { store, backboneId } = generatedProject(dir, rows);
    const loadStart = performance.now();
    const index = await loadQuantizedIndex(store, backboneId, DIM);
    const loadSeconds = ms(loadStart) / 1000;
    console.log(`  first load (SQLite -> int8 index): ${index.count.toLocaleString()} rows in ${loadSeconds.toFixed(1)} s = ${(index.count / loadSeconds).toFixed(0)} rows/s; 1M rows would take ~${(1e6 / (index.count / loadSeconds)).toFixed(0)} s`);
    if (!args.includes('--skip-map')) {
      const backbone = new BackbonesRepo(store.db).get(backboneId)!;
      const mapStart = performance.now();
      let lastMessage = '';
      const phases: string[] = [];
      const ctx = {
        jobId: 'bench',
        signal: new AbortController().signal,
        throwIfCancelled: () => undefined,
        progress: (_done: number, _total: number | null, message?: string) => {
          const phase = (message ?? '').split(':')[0]!;
          if (phase !== lastMessage) phases.push(`${phase} at ${(ms(mapStart) / 1000).toFixed(1)} s`);
          lastMessage = phase;
        },
      };
      const map = await computeMap(store, backbone, {}, ctx);
      console.log(`  phases: ${phases.join('; ')}`);
      console.log(`map: ${map.tileIds.length.toLocaleString()} tiles in ${(ms(mapStart) / 1000).toFixed(1)} s (target < 60 s): ${map.method}`);
    }
    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void (async () => {
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (the machine may be shared: figures are noisy)`);
  if (!args.includes('--skip-search')) await benchSearch();
  await benchLoadAndMap();
})();
