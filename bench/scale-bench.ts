// The vector store and prediction at study scale (issue 15): a synthetic project of N stored
// 1024-d float16 vectors over S slides (vectors written directly, no inference), then
//  - load rate: every stored vector of the backbone scanned and decoded to float32, on the helper
//    threads (first scan, then the median and best of 5 more, with CPU/wall) and on one thread;
//  - predict: a logistic-regression head over the stored tiles of whole slides (P tiles in all),
//    probabilities and slide summaries stored, as `histo predict` does once tiles are embedded;
//  - heatmap: the PNG of one slide of H tiles from stored probabilities;
//  - file size against the raw vector bytes, and the peak RSS (target < 1.5 GB).
//   node scripts/run-ts.mjs bench/scale-bench.ts [--vectors 2000000] [--slides 200] [--dim 1024] [--predict 1000000] [--heatmap-tiles 100000] [--block 32] [--dir /tmp] [--keep]
// Noisy on a shared machine: run it when the machine is quiet, and compare runs of the same size.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectStore } from '../src-main/core/project/project-store';
import { BackbonesRepo } from '../src-main/core/project/repos/backbones-repo';
import { EmbeddingsRepo } from '../src-main/core/project/repos/embeddings-repo';
import { serializeHead, trainHead } from '../src-main/core/heads/head';
import { HeadsRepo } from '../src-main/core/project/repos/heads-repo';
import { predictStoredTiles } from '../src-main/core/prediction/predict-slides';
import { compileHead } from '../src-main/core/prediction/compiled-head';
import { summarizeSlide } from '../src-main/core/prediction/slide-summary';
import { heatmapPng } from '../src-main/core/prediction/stored-predictions';
import { seededRandom } from '../src-main/core/backbones/seeded-random';
import { toHalf } from '../src-main/core/embeddings/vector-codec';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const VECTORS = option('--vectors', 2_000_000);
const SLIDES = option('--slides', 200);
const DIM = option('--dim', 1024);
const PREDICT = Math.min(option('--predict', 1_000_000), VECTORS);
const HEATMAP_TILES = Math.min(option('--heatmap-tiles', 100_000), VECTORS);
const dirArg = args.indexOf('--dir') >= 0 ? args[args.indexOf('--dir') + 1]! : os.tmpdir();
const KEEP = args.includes('--keep');
/** Vectors per stored block, as an extraction batch of this size writes them (`histo embed --batch`, 32 by default). */
const BLOCK = option('--block', 32);

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rate = (n: number, seconds: number) => `${Math.round(n / seconds).toLocaleString('en-US')}/s`;

function freeBytes(dir: string): number {
  const out = execFileSync('df', ['-k', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  return Number(out) * 1024;
}

/** Tiles per slide: slide 0 holds the heatmap slide's tiles, the rest share what is left. */
function slideSizes(): number[] {
  const rest = VECTORS - HEATMAP_TILES;
  return [HEATMAP_TILES, ...Array.from({ length: SLIDES - 1 }, (_, s) => Math.floor(rest / (SLIDES - 1)) + (s < rest % (SLIDES - 1) ? 1 : 0))];
}

/**
 * Writes the synthetic study: slides, tilings, tiles and packed float16 blocks. The halves are
 * drawn from the table of a few hundred values near zero (what real embeddings look like after
 * float16), so generating 2G values costs a lookup each instead of a float-to-half conversion.
 */
function buildProject(file: string): { store: ProjectStore; backboneId: number; slideIds: number[] } {
  const store = ProjectStore.create(file);
  const db = store.db;
  const now = new Date().toISOString();
  const backboneId = Number(
    db
      .prepare(`INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES ('synthetic', 'none', '0', 224, '[0,0,0]', '[1,1,1]', 'input', 'output', ?, ?)`)
      .run(DIM, now).lastInsertRowid,
  );
  const addSlide = db.prepare(`INSERT INTO slides (path, fingerprint, format, width, height, levels_json, added_at) VALUES (?, ?, 'tiff', ?, ?, '[]', ?)`);
  const addTiling = db.prepare(`INSERT INTO tilings (slide_id, tile_size, params_key, created_at) VALUES (?, 224, 'scale', ?)`);
  const addTile = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (?, ?, ?, 224, 224, 1)');
  const palette = Uint16Array.from({ length: 1024 }, (_, i) => toHalf(Math.sin(i * 12.9898) * 2));
  const random = seededRandom(7);
  const repo = new EmbeddingsRepo(db);
  const slideIds: number[] = [];
  const halves = new Uint16Array(BLOCK * DIM);
  let written = 0;
  let lastReport = performance.now();
  for (const [s, tiles] of slideSizes().entries()) {
    const side = Math.ceil(Math.sqrt(tiles));
    db.transaction(() => {
      const slideId = Number(addSlide.run(`/synthetic/slide-${s}.svs`, `scale-${s}`, side * 224, side * 224, now).lastInsertRowid);
      slideIds.push(slideId);
      const tilingId = Number(addTiling.run(slideId, now).lastInsertRowid);
      for (let start = 0; start < tiles; start += BLOCK) {
        const count = Math.min(BLOCK, tiles - start);
        const ids: number[] = [];
        for (let i = start; i < start + count; i++) ids.push(Number(addTile.run(tilingId, (i % side) * 224, Math.floor(i / side) * 224).lastInsertRowid));
        // A slide-specific offset and per-value noise: heads and heatmaps see varied scores.
        const base = (random() * 1024) | 0;
        for (let v = 0; v < count * DIM; v++) halves[v] = palette[(base + v * 7 + ((random() * 64) | 0)) & 1023]!;
        repo.writeBlock(backboneId, 0, 'float16', ids, ids.map(() => 'original'), Buffer.from(halves.buffer, 0, count * DIM * 2));
      }
    })();
    written += tiles;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      console.log(`  wrote ${written.toLocaleString('en-US')} / ${VECTORS.toLocaleString('en-US')} vectors`);
    }
  }
  return { store, backboneId, slideIds };
}

/** A logistic-regression head trained on a few stored-looking rows, saved as training would. */
function addHead(store: ProjectStore, backboneId: number): number {
  const db = store.db;
  const random = seededRandom(3);
  const n = 400;
  const x = Float32Array.from({ length: n * DIM }, () => random() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * DIM]! + x[i * DIM + 1]! > 0 ? 1 : 0));
  const head = trainHead('logreg', {}, { x, n, dim: DIM, y, classes: ['benign', 'tumour'], groups: Int32Array.from({ length: n }, (_, i) => i % 4) }, 1);
  const now = new Date().toISOString();
  const taskId = Number(db.prepare(`INSERT INTO tasks (name, classes_json, created_at) VALUES ('scale', '["benign","tumour"]', ?)`).run(now).lastInsertRowid);
  const metrics = JSON.stringify({ metrics: {}, metricsStd: {}, classes: head.classes });
  const weights = Buffer.from(serializeHead(head));
  return Number(
    db
      .prepare(`INSERT INTO heads (task_id, backbone_id, kind, params_json, seed, metrics_json, train_seconds, weights, created_at) VALUES (?, ?, 'logreg', '{}', 1, ?, 0, ?, ?)`)
      .run(taskId, backboneId, metrics, weights, now).lastInsertRowid,
  );
}

async function main(): Promise<void> {
  const raw = VECTORS * DIM * 2;
  const free = freeBytes(dirArg);
  if (free < raw * 1.3) {
    console.error(`bench:scale: ${dirArg} has ${mib(free)} free, needs about ${mib(raw * 1.3)} for ${VECTORS} vectors; pass --vectors N or --dir`);
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(dirArg, 'histo-scale-bench-'));
  const file = path.join(dir, 'scale.histo');
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (a shared machine: figures are noisy)`);
  console.log(`bench:scale: ${VECTORS.toLocaleString('en-US')} vectors (${DIM}-d float16, blocks of ${BLOCK}) over ${SLIDES} slides in ${file}`);
  try {
    let t = performance.now();
    const { store, backboneId, slideIds } = buildProject(file);
    console.log(`  built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    try {
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      const size = fs.statSync(file).size;
      const tileTable = (store.db.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name IN ('tiles', 'sqlite_autoindex_tiles_1')").get() as { bytes: number | null }).bytes;
      const vectorTables = (store.db.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'embedding%'").get() as { bytes: number | null }).bytes;

      const repo = new EmbeddingsRepo(store.db);
      /** One full scan of the backbone's vectors, decoded to float32: wall and CPU seconds. */
      const load = (parallelFrom: number) => {
        const started = performance.now();
        const cpuStart = cpuSeconds();
        let count = 0;
        let sum = 0;
        for (const chunk of repo.scan(backboneId, DIM, 0, 4096, parallelFrom)) {
          count += chunk.count;
          sum += chunk.vectors[0]!;
        }
        return { count, sum, seconds: (performance.now() - started) / 1000, cpu: cpuSeconds() - cpuStart };
      };
      // On this thread alone, then on the helper threads (the first scan starts them), then again:
      // the warm scans' median and best, each with its CPU/wall (2.0: both cores were ours).
      const serial = load(Infinity);
      const first = load(0);
      const warmScans = Array.from({ length: 5 }, () => load(0)).sort((a, b) => a.seconds - b.seconds);
      const warm = warmScans[2]!;
      const best = warmScans[0]!;
      const { count: loaded, sum: checksum, seconds: loadSeconds, cpu: loadCpu } = serial;
      // The same blocks read again without decoding: what SQLite and the BLOB copies cost alone.
      let cpu = cpuSeconds();
      let readBytes = 0;
      for (const block of repo.encodedBlocks(backboneId, DIM, 0) ?? []) readBytes += block.bytes.byteLength;
      const readCpu = cpuSeconds() - cpu;

      const headId = addHead(store, backboneId);
      const apply = compileHead(new HeadsRepo(store.db).load(headId).head);
      const backbone = new BackbonesRepo(store.db).get(backboneId)!;
      const predictSlides: number[] = [];
      for (let s = 0, n = 0; s < slideIds.length && n < PREDICT; s++) {
        predictSlides.push(slideIds[s]!);
        n += slideSizes()[s]!;
      }
      const tilesOf = store.db.prepare('SELECT t.id FROM tiles t JOIN tilings g ON g.id = t.tiling_id WHERE g.slide_id = ? ORDER BY t.id').pluck();
      t = performance.now();
      cpu = cpuSeconds();
      let predicted = 0;
      let positives = 0;
      for (const slideId of predictSlides) {
        const tileIds = tilesOf.all(slideId) as number[];
        const stored = await predictStoredTiles(store, headId, apply, backbone, tileIds, 2);
        const scores = new Float32Array(stored.tileIds.length);
        for (let i = 0; i < scores.length; i++) scores[i] = stored.probs[i * 2 + 1]!;
        positives += summarizeSlide(scores, 0.5, 10, null).positive;
        predicted += scores.length;
      }
      const predictSeconds = (performance.now() - t) / 1000;
      const predictCpu = cpuSeconds() - cpu;

      {
        const started = performance.now();
        const png = await heatmapPng(store, headId, slideIds[0]!, undefined);
        const heatmapSeconds = (performance.now() - started) / 1000;
        const rss = process.resourceUsage().maxRSS * 1024;
        const same = [first, ...warmScans].every((scan) => scan.sum === checksum && scan.count === loaded);
        const usage = (scan: { cpu: number; seconds: number }) => `CPU/wall ${(scan.cpu / scan.seconds).toFixed(2)}`;
        console.log(
          `load on ${os.availableParallelism()} cores, blocks read and decoded on helper threads: median of 5 warm scans ${rate(warm.count, warm.seconds)} (${warm.seconds.toFixed(2)} s, ${usage(warm)}), best ${rate(best.count, best.seconds)} (${usage(best)}); the first scan, starting the helpers: ${rate(first.count, first.seconds)} in ${first.seconds.toFixed(2)} s; target >= 1,000,000/s; ${same ? 'same vectors as the serial scan' : 'DIFFERENT VECTORS from the serial scan'}`,
        );
        console.log(`load on one thread: ${loaded.toLocaleString('en-US')} vectors in ${loadSeconds.toFixed(2)} s = ${rate(loaded, loadSeconds)} (decoded to float32; ${loadCpu.toFixed(2)} s of CPU = ${rate(loaded, loadCpu)} per CPU second) [checksum ${checksum.toFixed(1)}]`);
        console.log(`  of which reading blocks (SQLite pages and BLOB copies, ${mib(readBytes)}) ~${readCpu.toFixed(2)} s of CPU = ${rate(loaded, readCpu)}; decoding float16 the rest (~${Math.max(0, loadCpu - readCpu).toFixed(2)} s); page size ${store.db.pragma('page_size', { simple: true })} bytes`);
        console.log(`predict: ${predicted.toLocaleString('en-US')} tiles of ${predictSlides.length} slides in ${predictSeconds.toFixed(2)} s = ${rate(predicted, predictSeconds)}; ${predictCpu.toFixed(2)} s of CPU (logreg, probabilities and summaries stored; target < 15 s for 1M; ${positives} positive)`);
        console.log(`heatmap: slide of ${HEATMAP_TILES.toLocaleString('en-US')} tiles in ${heatmapSeconds.toFixed(2)} s (${png?.byteLength ?? 0} byte PNG)`);
        console.log(`file: ${mib(fs.statSync(file).size)} after predictions; before: ${mib(size)} = ${(size / raw).toFixed(3)} x raw vector bytes (${mib(raw)}); vector tables ${mib(vectorTables ?? 0)} = ${((vectorTables ?? 0) / raw).toFixed(3)} x raw; tile table ${mib(tileTable ?? 0)}; target <= 1.1 x raw + tile table`);
        console.log(`peak RSS: ${mib(rss)} (target < 1536 MiB)`);
      }
    } finally {
      store.close();
    }
  } finally {
    if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
