// npm run bench:baseline — what the faster histo-classic-v1 graph (tile averaged 2 x 2 before the
// filter bank) costs in accuracy and gains in speed against the first release's full-resolution
// graph, on a task derived from the real fixture slide (test/fixtures/CMU-1-Small-Region.svs, skin):
//   tiles: 112 px at level 0 (0.499 µm/px), at least half tissue, resized to the backbones' 224 px;
//   labels: 3 tissue clusters, k-means (k-means++ seeding, fixed seed) of the L2-normalised
//           embeddings of the real ImageNet MobileNetV2 (independent of both graphs under test);
//   evaluation: logistic regression (default C), 5-fold CV grouped by 448 px blocks (neighbouring
//           tiles never sit on both sides of a split), 5 seeds; macro-F1 mean and the paired difference.
// Without the MobileNetV2 file (resources/backbones or ../shared/models) only the speeds are printed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../src-main/core/app-root';
import { DEFAULT_BACKBONE_NAME, defaultBackboneBytes, defaultBackbonePath } from '../src-main/core/backbones/default-backbone';
import { extractEmbeddings } from '../src-main/core/extraction/extract-embeddings';
import { crossValidate } from '../src-main/core/heads/evaluate';
import { LOGREG_DEFAULTS } from '../src-main/core/heads/logistic-regression';
import { createRng } from '../src-main/core/heads/random';
import { ProjectStore } from '../src-main/core/project/project-store';
import { EmbeddingsRepo } from '../src-main/core/project/repos/embeddings-repo';
import type { StoredBackbone } from '../src-main/core/project/repos/backbones-repo';
import { importBackbone } from '../src-main/core/registry/backbone-registry';
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

async function main() {
  console.log(`bench:baseline on ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-bench-baseline-'));
  const slide = path.join(appRoot(), 'test', 'fixtures', 'CMU-1-Small-Region.svs');
  const firstRelease = path.join(dir, 'histo-classic-v1-full-resolution.onnx');
  fs.writeFileSync(firstRelease, defaultBackboneBytes({ internalDownsample: 1 }));
  const store = ProjectStore.create(path.join(dir, 'baseline.histo'));
  try {
    const candidates: Array<[string, string, Record<string, unknown>]> = [
      ['classic-full-resolution', firstRelease, { mean: [0, 0, 0], std: [1, 1, 1] }],
      [DEFAULT_BACKBONE_NAME, defaultBackbonePath(), {}],
    ];
    const mobileNet = mobileNetFile();
    if (mobileNet) candidates.push(['mobilenet-v2', mobileNet, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }]);
    const backbones = new Map<string, StoredBackbone>();
    for (const [name, file, overrides] of candidates) {
      const backbone = await importBackbone(store, file, { name, ...overrides });
      backbones.set(name, backbone);
      const summary = await extractEmbeddings(store, { paths: [slide], backbone, level: 0, tileSize: TILE, minTissue: 0.5, views: 'none', batchSize: 16, dtype: 'float32' });
      console.log(`${name.padEnd(24)} ${summary.embedded} tiles, ${summary.tilesPerSecond.toFixed(1)} tiles/s end to end (fixture slide; small, so start-up weighs in)`);
    }
    if (!mobileNet) {
      console.log('no MobileNetV2 file: the accuracy comparison needs it for label-free tissue clusters; skipped');
      return;
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
    console.log(`task: ${reference.count} tiles in ${CLUSTERS} MobileNetV2 tissue clusters (${sizes.join(' / ')}), ${blockIds.size} spatial groups`);

    const scores = new Map<string, number[]>();
    for (const name of ['classic-full-resolution', DEFAULT_BACKBONE_NAME]) {
      const matrix = load(name);
      if (matrix.tileIds.some((id, i) => id !== reference.tileIds[i])) throw new Error(`${name}: tiles differ from the reference backbone's`);
      const dataset = { x: matrix.vectors, n: matrix.count, dim: matrix.dim, y, classes: sizes.map((_, c) => `cluster-${c}`), groups };
      scores.set(
        name,
        SEEDS.map((seed) => crossValidate({ dataset, kind: 'logreg', params: { ...LOGREG_DEFAULTS }, folds: 5, seed }).metrics.f1Macro),
      );
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const full = scores.get('classic-full-resolution')!;
    const fast = scores.get(DEFAULT_BACKBONE_NAME)!;
    const differences = fast.map((v, i) => v - full[i]!);
    const spread = Math.sqrt(differences.reduce((a, d) => a + (d - mean(differences)) ** 2, 0) / Math.max(1, differences.length - 1));
    console.log(`macro-F1 (5-fold grouped CV, ${SEEDS.length} seeds): full resolution ${mean(full).toFixed(3)}, ${DEFAULT_BACKBONE_NAME} ${mean(fast).toFixed(3)}`);
    console.log(`paired difference: ${(mean(differences) * 100).toFixed(2)} points (sd over seeds ${(spread * 100).toFixed(2)}; allowed drop: 1 point)`);
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
