// npm run bench:embed — the extraction pipeline against the backbone alone, on this machine:
// (a) raw inference tiles/s on preallocated batches, (b) end-to-end slide -> SQLite tiles/s into a
// fresh project, (c) their ratio (target >= 0.9: the backbone never waits on decoding or SQLite),
// (d) peak RSS; and the speed of loading stored 512-d vectors into one Float32Array.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Embedder } from '../src-main/core/backbones/embedder';
import { floatsPerTile } from '../src-main/core/backbones/preprocess';
import { inspectBackbone } from '../src-main/core/backbones/inspect-backbone';
import { ProjectStore } from '../src-main/core/project/project-store';
import { importBackbone } from '../src-main/core/registry/backbone-registry';
import { extractEmbeddings } from '../src-main/core/extraction/extract-embeddings';
import { EmbeddingsRepo } from '../src-main/core/project/repos/embeddings-repo';
import { resnetLikeModel } from '../test/helpers/onnx-models';
import { writePyramid } from '../test/fixtures/slide-fixtures';

const BATCH = Number(process.env.BENCH_BATCH ?? 16);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-bench-embed-'));
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function rawInference(model: string, seconds: number): Promise<number> {
  const spec = await inspectBackbone(model, {});
  const embedder = await Embedder.open(model, spec, {});
  const input = new Float32Array(BATCH * floatsPerTile(spec));
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i) * 0.5;
  await embedder.embed(input, BATCH);
  let tiles = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await embedder.embed(input, BATCH);
    tiles += BATCH;
  }
  const rate = tiles / ((performance.now() - start) / 1000);
  await embedder.close();
  return rate;
}

async function loadSpeed(): Promise<number> {
  const store = ProjectStore.create(path.join(dir, 'load.histo'));
  const dim = 512;
  const count = 100_000;
  store.db.exec(`INSERT INTO slides (path, fingerprint, format, width, height, levels_json, added_at) VALUES ('s', 'f', 'tiff', 1, 1, '[]', 'now');
    INSERT INTO tilings (slide_id, tile_size, params_key, created_at) VALUES (1, 224, 'k', 'now');
    INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES ('b', 'x', 'y', 224, '[0,0,0]', '[1,1,1]', 'i', 'o', ${dim}, 'now');`);
  const tile = store.db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (1, ?, 0, 224, 224, 1)');
  store.db.transaction(() => {
    for (let i = 0; i < count; i++) tile.run(i);
  })();
  const repo = new EmbeddingsRepo(store.db);
  const vector = new Float32Array(dim).map((_, i) => i / dim);
  for (let start = 1; start <= count; start += 10_000) {
    repo.insertBatch(1, 'float32', Array.from({ length: 10_000 }, (_, i) => ({ tileId: start + i, view: 0, viewName: 'original', vector })));
  }
  const t0 = performance.now();
  const matrix = repo.loadMatrix(1, dim);
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  if (matrix.count !== count) throw new Error(`loaded ${matrix.count} of ${count}`);
  return count / seconds;
}

async function main() {
  console.log(`bench:embed on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), batch ${BATCH}`);
  const model = resnetLikeModel({ dir, fileName: 'resnet-like.onnx' });
  const raw = await rawInference(model, 8);
  console.log(`(a) raw inference:        ${raw.toFixed(1)} tiles/s (ResNet-18-sized model, 224 px, preallocated batches)`);

  const side = Number(process.env.BENCH_SLIDE ?? 4480);
  const slide = await writePyramid(path.join(dir, 'slide.tif'), {
    width: side,
    height: side,
    tile: 256,
    compression: 'jpeg',
    downsamples: [1, 4],
    resolution: { x: 20000, y: 20000, unit: 3 },
  });
  const store = ProjectStore.create(path.join(dir, 'bench.histo'));
  const backbone = await importBackbone(store, model, { name: 'resnet-like' });
  const summary = await extractEmbeddings(store, { paths: [slide], backbone, level: 0, minTissue: 0, views: 'none', batchSize: BATCH, dtype: 'float32' });
  store.close();
  console.log(`(b) end-to-end extraction: ${summary.tilesPerSecond.toFixed(1)} tiles/s (${summary.embedded} tiles of a ${side} x ${side} JPEG pyramid in ${summary.seconds.toFixed(1)} s, provider ${summary.provider})`);
  console.log(`(c) ratio end-to-end / raw: ${(summary.tilesPerSecond / raw).toFixed(3)} (target >= 0.9)`);
  clearInterval(sampler);
  console.log(`(d) peak RSS:              ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  const loaded = await loadSpeed();
  console.log(`    load 100k x 512-d vectors into one Float32Array: ${(loaded / 1000).toFixed(0)}k vectors/s (target >= 500k)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
