// npm run bench:baseline — the built-in non-learned baseline, histo-classic-v2 (tile averaged 4 x 4,
// 3 scales), against its targets (issue 15), in one run:
//   speed: end-to-end extraction (slide -> SQLite, a fresh project each time) of histo-classic-v2,
//          the real MobileNetV2 1.0 and histo-classic-v1 on a generated BENCH_SLIDE px square JPEG
//          pyramid (8960 by default: 1,600 tiles of 224 px), BENCH_ROUNDS rounds (2 by default)
//          alternating the models because the machine is shared; tiles/s and v2 / MobileNetV2
//          (target >= 3x);
//   accuracy: macro-F1 of v2 (and v1) against the first release's full-resolution graph (target: at
//          most 1 point lower), on a task derived from the real fixture slide
//          (test/fixtures/CMU-1-Small-Region.svs, skin):
//   tiles: 112 px at level 0 (0.499 µm/px), at least half tissue, resized to the backbones' 224 px;
//   labels: 3 tissue clusters, k-means (k-means++ seeding, fixed seed) of the L2-normalised
//           embeddings of the real ImageNet MobileNetV2 (independent of the graphs under test);
//   evaluation: logistic regression (default C), 5-fold CV grouped by 448 px blocks (neighbouring
//           tiles never sit on both sides of a split), 5 seeds; macro-F1 mean and the paired difference.
// Without the MobileNetV2 file (resources/backbones or ../shared/models) only the classical speeds are printed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../src-main/core/app-root';
import { classicBackboneBytes } from '../src-main/core/backbones/classic-backbone-graph';
import { CLASSIC_FIRST_RELEASE, CLASSIC_V1, CLASSIC_V2, bundledBackbonePath } from '../src-main/core/backbones/default-backbone';
import { extractEmbeddings } from '../src-main/core/extraction/extract-embeddings';
import { crossValidate } from '../src-main/core/heads/evaluate';
import { LOGREG_DEFAULTS } from '../src-main/core/heads/logistic-regression';
import { createRng } from '../src-main/core/heads/random';
import { ProjectStore } from '../src-main/core/project/project-store';
import { EmbeddingsRepo } from '../src-main/core/project/repos/embeddings-repo';
import type { StoredBackbone } from '../src-main/core/project/repos/backbones-repo';
import { importBackbone } from '../src-main/core/registry/backbone-registry';
import { writeBenchPyramid } from './bench-slide';
import { mobileNetFile } from './mobilenet-file';

const TILE = 112;
const BLOCK = 448;
const CLUSTERS = 3;
const SEEDS = [0, 1, 2, 3, 4];

/** Rows L2-normalised, then Lloyd's k-means with k-means++ seeding: the label-free "tissue types". */
function kMeans(x: Float32Array, n: number, dim: number, k: number, seed: number): Int32Array {
  const rows = Float32Array.from(x);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += rows[i * dim + d]! ** 2;
    const scale = 1 / Math.sqrt(norm || 1);
    for (let d = 0; d < dim; d++) rows[i * dim + d]! *= scale;
  }
  const rng = createRng(seed);
  const distance = (i: number, centre: Float64Array) => {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += (rows[i * dim + d]! - centre[d]!) ** 2;
    return sum;
  };
  const centres: Float64Array[] = [Float64Array.from(rows.subarray(0, dim))];
  while (centres.length < k) {
    const nearest = Array.from({ length: n }, (_, i) => Math.min(...centres.map((c) => distance(i, c))));
    let pick = rng.next() * nearest.reduce((a, b) => a + b, 0);
    let chosen = 0;
    while (chosen < n - 1 && (pick -= nearest[chosen]!) > 0) chosen++;
    centres.push(Float64Array.from(rows.subarray(chosen * dim, (chosen + 1) * dim)));
  }
  const label = new Int32Array(n);
  for (let iteration = 0; iteration < 100; iteration++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (distance(i, centres[c]!) < distance(i, centres[best]!)) best = c;
      if (best !== label[i]) moved++;
      label[i] = best;
    }
    for (let c = 0; c < k; c++) {
      const centre = new Float64Array(dim);
      let members = 0;
      for (let i = 0; i < n; i++) {
        if (label[i] !== c) continue;
        members++;
        for (let d = 0; d < dim; d++) centre[d]! += rows[i * dim + d]!;
      }
      if (members > 0) centres[c] = centre.map((v) => v / members);
    }
    if (moved === 0 && iteration > 0) break;
  }
  return label;
}

const SPEED_SIDE = Number(process.env.BENCH_SLIDE ?? 8960);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const V2 = CLASSIC_V2.sidecar.name;
const V1 = CLASSIC_V1.sidecar.name;
const FIRST_RELEASE = 'classic-full-resolution';
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** End-to-end tiles/s of each model on the generated pyramid, a fresh project per run, models alternated per round. */
async function measureSpeeds(dir: string, models: Array<[string, string, Record<string, unknown>]>): Promise<Map<string, number[]>> {
  const slide = await writeBenchPyramid(dir, SPEED_SIDE);
  const rates = new Map<string, number[]>(models.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, file, overrides] of models) {
      const store = ProjectStore.create(path.join(dir, `speed-${name}-${round}.histo`));
      try {
        const backbone = await importBackbone(store, file, { name, ...overrides });
        const summary = await extractEmbeddings(store, { paths: [slide], backbone, level: 0, minTissue: 0, views: 'none', batchSize: 16, dtype: 'float32' });
        rates.get(name)!.push(summary.tilesPerSecond);
        console.log(`  round ${round + 1}: ${name.padEnd(18)} ${summary.embedded} tiles, ${summary.tilesPerSecond.toFixed(1).padStart(6)} tiles/s end to end`);
      } finally {
        store.close();
      }
    }
  }
  return rates;
}

function printSpeeds(rates: Map<string, number[]>): void {
  for (const [name, values] of rates) console.log(`${name.padEnd(24)} ${mean(values).toFixed(1).padStart(6)} tiles/s end to end (mean of ${values.length})`);
  const light = rates.get('mobilenet-v2');
  if (!light) return;
  const perRound = rates.get(V2)!.map((v, i) => v / light[i]!);
  console.log(
    `${V2} / MobileNetV2 1.0 end to end: ${(mean(rates.get(V2)!) / mean(light)).toFixed(2)}x (rounds: ${perRound.map((r) => r.toFixed(2) + 'x').join(', ')}; target >= 3x)`,
  );
  console.log(`${V2} / ${V1} end to end: ${(mean(rates.get(V2)!) / mean(rates.get(V1)!)).toFixed(2)}x`);
}

async function main() {
  console.log(`bench:baseline on ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-bench-baseline-'));
  const mobileNet = mobileNetFile();
  try {
    const classics: Array<[string, string, Record<string, unknown>]> = [
      [V2, bundledBackbonePath(V2), {}],
      [V1, bundledBackbonePath(V1), {}],
    ];
    const speedModels = mobileNet ? [classics[0]!, ['mobilenet-v2', mobileNet, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }] as [string, string, Record<string, unknown>], classics[1]!] : classics;
    console.log(`speed: ${SPEED_SIDE} x ${SPEED_SIDE} px JPEG pyramid at 0.5 µm/px, 224 px tiles, ${ROUNDS} round(s)`);
    printSpeeds(await measureSpeeds(dir, speedModels));
    if (!mobileNet) {
      console.log('no MobileNetV2 file: the ratio and the accuracy comparison (label-free tissue clusters) need it; skipped');
      return;
    }
    await compareAccuracy(dir, mobileNet, classics);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Macro-F1 of each classical graph against the first release's, on clusters of MobileNetV2 features of the fixture slide. */
async function compareAccuracy(dir: string, mobileNet: string, classics: Array<[string, string, Record<string, unknown>]>): Promise<void> {
  const slide = path.join(appRoot(), 'test', 'fixtures', 'CMU-1-Small-Region.svs');
  const firstRelease = path.join(dir, 'histo-classic-v1-full-resolution.onnx');
  fs.writeFileSync(firstRelease, classicBackboneBytes(CLASSIC_FIRST_RELEASE));
  const store = ProjectStore.create(path.join(dir, 'baseline.histo'));
  try {
    const candidates: Array<[string, string, Record<string, unknown>]> = [
      [FIRST_RELEASE, firstRelease, { mean: [0, 0, 0], std: [1, 1, 1] }],
      ...classics,
      ['mobilenet-v2', mobileNet, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }],
    ];
    const backbones = new Map<string, StoredBackbone>();
    for (const [name, file, overrides] of candidates) {
      const backbone = await importBackbone(store, file, { name, ...overrides });
      backbones.set(name, backbone);
      await extractEmbeddings(store, { paths: [slide], backbone, level: 0, tileSize: TILE, minTissue: 0.5, views: 'none', batchSize: 16, dtype: 'float32' });
    }
    const repo = new EmbeddingsRepo(store.db);
    const load = (name: string) => {
      const backbone = backbones.get(name)!;
      return repo.loadMatrix(backbone.id, backbone.dim);
    };
    const reference = load('mobilenet-v2');
    const y = kMeans(reference.vectors, reference.count, reference.dim, CLUSTERS, 11);
    const position = store.db.prepare('SELECT x, y FROM tiles WHERE id = ?');
    const blockIds = new Map<string, number>();
    const groups = Int32Array.from(reference.tileIds, (id) => {
      const { x, y: top } = position.get(id) as { x: number; y: number };
      const key = `${Math.floor(x / BLOCK)},${Math.floor(top / BLOCK)}`;
      if (!blockIds.has(key)) blockIds.set(key, blockIds.size);
      return blockIds.get(key)!;
    });
    const sizes = Array.from({ length: CLUSTERS }, (_, c) => y.filter((v) => v === c).length);
    console.log(`accuracy task: ${reference.count} tiles of the fixture slide in ${CLUSTERS} MobileNetV2 tissue clusters (${sizes.join(' / ')}), ${blockIds.size} spatial groups`);

    const scores = new Map<string, number[]>();
    for (const name of [FIRST_RELEASE, V2, V1]) {
      const matrix = load(name);
      if (matrix.tileIds.some((id, i) => id !== reference.tileIds[i])) throw new Error(`${name}: tiles differ from the reference backbone's`);
      const dataset = { x: matrix.vectors, n: matrix.count, dim: matrix.dim, y, classes: sizes.map((_, c) => `cluster-${c}`), groups };
      scores.set(
        name,
        SEEDS.map((seed) => crossValidate({ dataset, kind: 'logreg', params: { ...LOGREG_DEFAULTS }, folds: 5, seed }).metrics.f1Macro),
      );
    }
    const full = scores.get(FIRST_RELEASE)!;
    console.log(`macro-F1 (5-fold grouped CV, ${SEEDS.length} seeds): first release (full resolution) ${mean(full).toFixed(3)}, ${V2} ${mean(scores.get(V2)!).toFixed(3)}, ${V1} ${mean(scores.get(V1)!).toFixed(3)}`);
    for (const name of [V2, V1]) {
      const differences = scores.get(name)!.map((v, i) => v - full[i]!);
      const spread = Math.sqrt(differences.reduce((a, d) => a + (d - mean(differences)) ** 2, 0) / Math.max(1, differences.length - 1));
      console.log(`${name} - first release: ${(mean(differences) * 100).toFixed(2)} points (sd over seeds ${(spread * 100).toFixed(2)}; allowed drop: 1 point)`);
    }
  } finally {
    store.close();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
