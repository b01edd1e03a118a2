// npm run bench:embed — the extraction pipeline against the backbone alone, on this machine, for
// three model classes in the same run (a ResNet-18-sized model, the real MobileNetV2 1.0 when its
// file is present, and the bundled histo-classic-v1): raw inference tiles/s on preallocated
// batches, end-to-end slide -> SQLite tiles/s into a fresh project, their ratio (target >= 0.9: the
// backbone never waits on decoding or SQLite), the baseline's speed against MobileNetV2 (target
// >= 3x), peak RSS; and the speed of loading stored 512-d vectors into one Float32Array.
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
import { writeBenchPyramid } from './bench-slide';
import { mobileNetFile } from './mobilenet-file';
import { DEFAULT_BACKBONE_NAME, defaultBackbonePath } from '../src-main/core/backbones/default-backbone';

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

interface ModelRates {
  name: string;
  raw: number;
  endToEnd: number;
  tiles: number;
  seconds: number;
  provider: string;
}

/** Raw inference, then end to end over the same slide into a fresh project, in one run per model. */
async function measure(name: string, model: string, slide: string, overrides: Record<string, unknown>): Promise<ModelRates> {
  const raw = await rawInference(model, 8);
  const store = ProjectStore.create(path.join(dir, `${name}.histo`));
  try {
    const backbone = await importBackbone(store, model, { name, ...overrides });
    const summary = await extractEmbeddings(store, { paths: [slide], backbone, level: 0, minTissue: 0, views: 'none', batchSize: BATCH, dtype: 'float32' });
    return { name, raw, endToEnd: summary.tilesPerSecond, tiles: summary.embedded, seconds: summary.seconds, provider: summary.provider };
  } finally {
    store.close();
  }
}

async function main() {
  console.log(`bench:embed on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), batch ${BATCH}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const side = Number(process.env.BENCH_SLIDE ?? 4480);
  const slide = await writeBenchPyramid(dir, side);
  const models: Array<[string, string, Record<string, unknown>]> = [
    ['resnet-like', resnetLikeModel({ dir, fileName: 'resnet-like.onnx' }), {}],
    [DEFAULT_BACKBONE_NAME, defaultBackbonePath(), {}],
  ];
  const mobileNet = mobileNetFile();
  if (mobileNet) models.splice(1, 0, ['mobilenet-v2', mobileNet, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }]);
  else console.log('    (no MobileNetV2 file found: the light-model class is skipped)');

  const rates: ModelRates[] = [];
  for (const [name, model, overrides] of models) {
    const r = await measure(name, model, slide, overrides);
    rates.push(r);
    console.log(
      `${name.padEnd(18)} raw ${r.raw.toFixed(1).padStart(7)} tiles/s   end-to-end ${r.endToEnd.toFixed(1).padStart(7)} tiles/s ` +
        `(${r.tiles} tiles of a ${side} x ${side} JPEG pyramid in ${r.seconds.toFixed(1)} s, ${r.provider})   ratio ${(r.endToEnd / r.raw).toFixed(3)} (target >= 0.9)`,
    );
  }
  const classic = rates.find((r) => r.name === DEFAULT_BACKBONE_NAME);
  const light = rates.find((r) => r.name === 'mobilenet-v2');
  if (classic && light) {
    console.log(`${DEFAULT_BACKBONE_NAME} / MobileNetV2 end-to-end: ${(classic.endToEnd / light.endToEnd).toFixed(2)}x (target >= 3)`);
  }
  clearInterval(sampler);
  console.log(`peak RSS: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  const loaded = await loadSpeed();
  console.log(`load 100k x 512-d vectors into one Float32Array: ${(loaded / 1000).toFixed(0)}k vectors/s (target >= 500k)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
