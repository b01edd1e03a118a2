// npm run bench:embed — the extraction pipeline against the backbone alone, on this machine, for
// three model classes in the same run (a ResNet-18-sized model, the real MobileNetV2 1.0 when its
// file is present, and the bundled baseline histo-classic-v2). Per model: bare ONNX Runtime on preallocated
// batches, as one default session (BENCH_BATCH tiles a run, and the pipeline's CPU run batch) and
// with the pipeline's sessions; end-to-end slide -> SQLite into a fresh project (BENCH_SLIDE px
// square JPEG pyramid, 8960 by default: 1,600 tiles, of real tissue unless BENCH_SLIDE_PIXELS=pattern);
// tiles/s, CPU-ms per tile (all threads) and the ratio end to end / bare (target >= 0.9: the
// backbone never waits on decoding or SQLite); the baseline's speed against MobileNetV2 (target >= 3x),
// peak RSS; and the speed of loading stored 512-d vectors into one Float32Array. BENCH_ROUNDS (3)
// alternated rounds per model, medians reported; BENCH_MODELS=a,b measures only the models named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Embedder } from '../src-main/core/backbones/embedder';
import { floatsPerTile } from '../src-main/core/backbones/preprocess';
import { openTileEmbedder } from '../src-main/core/backbones/worker-embedder';
import { inspectBackbone } from '../src-main/core/backbones/inspect-backbone';
import { ProjectStore } from '../src-main/core/project/project-store';
import { importBackbone } from '../src-main/core/registry/backbone-registry';
import { extractEmbeddings } from '../src-main/core/extraction/extract-embeddings';
import { EmbeddingsRepo } from '../src-main/core/project/repos/embeddings-repo';
import { resnetLikeModel } from '../test/helpers/onnx-models';
import { benchPixels, writeBenchPyramid } from './bench-slide';
import { CPU_RUN_BATCH } from '../src-main/core/backbones/session-plan';
import { mobileNetFile } from './mobilenet-file';
import { DEFAULT_BACKBONE_NAME, defaultBackbonePath } from '../src-main/core/backbones/default-backbone';

const BATCH = Number(process.env.BENCH_BATCH ?? 16);
const RAW_SECONDS = Number(process.env.BENCH_RAW_SECONDS ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-bench-embed-'));
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

/** CPU milliseconds of this process (every thread) so far. */
function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

interface Rate {
  tilesPerSecond: number;
  cpuMsPerTile: number;
}

/** Bare ONNX Runtime as anyone would call it: one session, its default threads, on this thread, `batch` tiles a run. */
async function bareSession(model: string, seconds: number, batch = BATCH): Promise<Rate> {
  const spec = await inspectBackbone(model, {});
  const embedder = await Embedder.open(model, spec, {});
  const input = new Float32Array(batch * floatsPerTile(spec));
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i) * 0.5;
  await embedder.embed(input, batch);
  let tiles = 0;
  const cpu = cpuMs();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await embedder.embed(input, batch);
    tiles += batch;
  }
  const rate = { tilesPerSecond: tiles / ((performance.now() - start) / 1000), cpuMsPerTile: (cpuMs() - cpu) / tiles };
  await embedder.close();
  return rate;
}

/** Bare ONNX Runtime as the pipeline runs it (its sessions and threads, a batch per session in flight), on preallocated batches. */
async function bareSessions(model: string, seconds: number): Promise<Rate & { sessions: number }> {
  const spec = await inspectBackbone(model, {});
  const embedder = await openTileEmbedder(model, spec, {});
  const inputs: Float32Array[] = Array.from({ length: embedder.parallelism }, () => new Float32Array(BATCH * floatsPerTile(spec)).map((_, i) => Math.sin(i) * 0.5));
  await Promise.all(inputs.map(async (input, i) => (inputs[i] = (await embedder.embedBuffer(input, BATCH)).input)));
  let tiles = 0;
  const cpu = cpuMs();
  const start = performance.now();
  await Promise.all(
    inputs.map(async (_, i) => {
      while (performance.now() - start < seconds * 1000) {
        inputs[i] = (await embedder.embedBuffer(inputs[i]!, BATCH)).input;
        tiles += BATCH;
      }
    }),
  );
  const rate = { tilesPerSecond: tiles / ((performance.now() - start) / 1000), cpuMsPerTile: (cpuMs() - cpu) / tiles, sessions: embedder.parallelism };
  await embedder.close();
  return rate;
}

/**
 * Vectors per second for one loadMatrix of 100k stored 512-d vectors (a fresh project each time).
 * Measured before the models run, in a process that has not yet held a gigabyte: at the end of
 * the bench the first loads ran at 150-210k/s, re-faulting memory the model runs had given back.
 */
async function loadSpeed(round: number): Promise<number> {
  const store = ProjectStore.create(path.join(dir, `load-${round}.histo`));
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
  /** Medians over the rounds: bare ORT as one default session (BATCH, then CPU_RUN_BATCH tiles a run), bare ORT with the pipeline's sessions, end to end. */
  bare: Rate;
  bareSmall: Rate;
  bareSessions: Rate & { sessions: number };
  endToEnd: Rate;
  /** Medians of the per-round ratios end to end / bare (each round's three figures ran back to back). */
  ratioDefault: number;
  ratioSmall: number;
  ratioSessions: number;
  rounds: number;
  tiles: number;
  seconds: number;
  provider: string;
}

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const medianRate = (rates: readonly Rate[]): Rate => ({
  tilesPerSecond: median(rates.map((r) => r.tilesPerSecond)),
  cpuMsPerTile: median(rates.map((r) => r.cpuMsPerTile)),
});

/** End to end: the slide into a fresh project (tissue finding and model loading on the clock). */
async function endToEnd(name: string, model: string, slide: string, overrides: Record<string, unknown>, round: number) {
  const store = ProjectStore.create(path.join(dir, `${name}-${round}.histo`));
  const cpu = cpuMs();
  try {
    const backbone = await importBackbone(store, model, { name, ...overrides });
    const summary = await extractEmbeddings(store, { paths: [slide], backbone, level: 0, minTissue: 0, views: 'none', batchSize: BATCH, dtype: 'float32' });
    return { summary, rate: { tilesPerSecond: summary.tilesPerSecond, cpuMsPerTile: (cpuMs() - cpu) / summary.embedded } };
  } finally {
    store.close();
  }
}

/**
 * ROUNDS rounds per model, each running bare ORT (one default session), bare ORT as the pipeline
 * runs it, and end to end back to back, the order reversed every other round: the machine is
 * shared, so load that drifts during a round favours neither side, and the median of the
 * per-round ratios is what is reported.
 */
async function measure(name: string, model: string, slide: string, overrides: Record<string, unknown>): Promise<ModelRates> {
  const bare: Rate[] = [];
  const bareSmall: Rate[] = [];
  const sessions: Array<Rate & { sessions: number }> = [];
  const ends: Rate[] = [];
  const ratioDefault: number[] = [];
  const ratioSmall: number[] = [];
  const ratioSessions: number[] = [];
  let last: Awaited<ReturnType<typeof endToEnd>> | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const steps = [
      async () => bare.push(await bareSession(model, RAW_SECONDS)),
      async () => bareSmall.push(await bareSession(model, RAW_SECONDS, CPU_RUN_BATCH)),
      async () => sessions.push(await bareSessions(model, RAW_SECONDS)),
      async () => {
        last = await endToEnd(name, model, slide, overrides, round);
        ends.push(last.rate);
      },
    ];
    if (round % 2 === 1) steps.reverse();
    for (const step of steps) await step();
    const end = ends[round]!.tilesPerSecond;
    ratioDefault.push(end / bare[round]!.tilesPerSecond);
    ratioSmall.push(end / bareSmall[round]!.tilesPerSecond);
    ratioSessions.push(end / sessions[round]!.tilesPerSecond);
    console.log(
      `  ${name} round ${round + 1}/${ROUNDS}: default ${bare[round]!.tilesPerSecond.toFixed(1)} (runs of ${CPU_RUN_BATCH}: ${bareSmall[round]!.tilesPerSecond.toFixed(1)}), as the pipeline ${sessions[round]!.tilesPerSecond.toFixed(1)}, ` +
        `end to end ${end.toFixed(1)} tiles/s (load ${os.loadavg()[0]!.toFixed(1)})`,
    );
  }
  const summary = last!.summary;
  return {
    name,
    bare: medianRate(bare),
    bareSmall: medianRate(bareSmall),
    bareSessions: { ...medianRate(sessions), sessions: sessions[0]!.sessions },
    endToEnd: medianRate(ends),
    ratioDefault: median(ratioDefault),
    ratioSmall: median(ratioSmall),
    ratioSessions: median(ratioSessions),
    rounds: ROUNDS,
    tiles: summary.embedded,
    seconds: summary.seconds,
    provider: summary.provider,
  };
}

async function main() {
  console.log(`bench:embed on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), batch ${BATCH}, ${ROUNDS} rounds, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const side = Number(process.env.BENCH_SLIDE ?? 8960);
  const pixels = benchPixels();
  const slide = await writeBenchPyramid(dir, side, pixels);
  // The first load starts the block-decoding helper threads; the later ones are what a session repeats.
  const loads: number[] = [];
  for (let round = 0; round < 3; round++) loads.push(await loadSpeed(round));
  const models: Array<[string, string, Record<string, unknown>]> = [
    ['resnet-like', resnetLikeModel({ dir, fileName: 'resnet-like.onnx' }), {}],
    [DEFAULT_BACKBONE_NAME, defaultBackbonePath(), {}],
  ];
  const mobileNet = mobileNetFile();
  if (mobileNet) models.splice(1, 0, ['mobilenet-v2', mobileNet, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }]);
  else console.log('    (no MobileNetV2 file found: the light-model class is skipped)');
  // BENCH_MODELS=mobilenet-v2,resnet-like measures only those (a quicker run while profiling one class).
  const only = process.env.BENCH_MODELS?.split(',').filter(Boolean);
  if (only) models.splice(0, models.length, ...models.filter(([name]) => only.includes(name)));

  const rates: ModelRates[] = [];
  const fmt = (r: Rate) => `${r.tilesPerSecond.toFixed(1).padStart(6)} tiles/s ${r.cpuMsPerTile.toFixed(1).padStart(5)} CPU-ms/tile`;
  for (const [name, model, overrides] of models) {
    const r = await measure(name, model, slide, overrides);
    rates.push(r);
    console.log(`${name} (${r.tiles} tiles of a ${side} x ${side} JPEG pyramid of ${pixels === 'tissue' ? 'real tissue' : 'the test pattern'}, ${r.provider}; medians of ${r.rounds} rounds):`);
    console.log(`  bare ORT, one default session:        ${fmt(r.bare)}`);
    console.log(`  the same, ${CPU_RUN_BATCH} tiles a run:            ${fmt(r.bareSmall)}`);
    console.log(`  bare ORT, ${r.bareSessions.sessions} session(s) as the pipeline: ${fmt(r.bareSessions)}`);
    console.log(`  end to end (slide -> SQLite):         ${fmt(r.endToEnd)} (last round ${r.seconds.toFixed(1)} s, tissue finding and model loading included)`);
    console.log(
      `  ratio end to end / bare ORT (median of per-round ratios): ${r.ratioDefault.toFixed(3)} against one default session, ` +
        `${r.ratioSmall.toFixed(3)} against it at ${CPU_RUN_BATCH} tiles a run, ${r.ratioSessions.toFixed(3)} against the pipeline's sessions (target >= 0.9)`,
    );
  }
  const classic = rates.find((r) => r.name === DEFAULT_BACKBONE_NAME);
  const light = rates.find((r) => r.name === 'mobilenet-v2');
  if (classic && light) {
    console.log(`${DEFAULT_BACKBONE_NAME} / MobileNetV2 end to end: ${(classic.endToEnd.tilesPerSecond / light.endToEnd.tilesPerSecond).toFixed(2)}x (target >= 3)`);
  }
  clearInterval(sampler);
  console.log(`peak RSS: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  const k = (rate: number) => `${(rate / 1000).toFixed(0)}k`;
  console.log(`load 100k x 512-d vectors into one Float32Array: ${k(median(loads.slice(1)))} vectors/s, median of 2 after the first (${k(loads[0]!)}/s, starting the helper threads; target >= 500k)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
