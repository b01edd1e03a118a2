import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classicBackboneBytes, classicFeatureNames } from '../../../src-main/core/backbones/classic-backbone-graph';
import {
  BUNDLED_CLASSIC_BACKBONES,
  CLASSIC_V1,
  CLASSIC_V2,
  DEFAULT_BACKBONE_DIM,
  DEFAULT_BACKBONE_NAME,
  DEFAULT_BACKBONE_SIDECAR,
  bundledBackbonePath,
  defaultBackboneFeatureNames,
  defaultBackbonePath,
} from '../../../src-main/core/backbones/default-backbone';
import { Embedder } from '../../../src-main/core/backbones/embedder';
import { inspectBackbone } from '../../../src-main/core/backbones/inspect-backbone';
import { floatsPerTile, writeInputTensor } from '../../../src-main/core/backbones/preprocess';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';
import { appRoot } from '../../../src-main/core/app-root';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { fileDigest } from '../../helpers/file-digest';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const SIZE = 224;
const STROMA = [235, 170, 205];
const NUCLEUS = [95, 55, 145];

function paint(data: Uint8Array, fx: number, fy: number, rgb: number[]): void {
  const x = Math.round(fx);
  const y = Math.round(fy);
  if (x < 0 || y < 0 || x >= SIZE || y >= SIZE) return;
  data.set(rgb, (y * SIZE + x) * 3);
}

function background(rand: () => number): Uint8Array {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let p = 0; p < SIZE * SIZE; p++) data.set(STROMA.map((v) => v + Math.round((rand() - 0.5) * 16)), p * 3);
  return data;
}

/** Round nuclei scattered over stroma. */
function nucleiTile(seed: number): RgbImage {
  const rand = seededRandom(seed);
  const data = background(rand);
  for (let n = 0; n < 70; n++) {
    const cx = rand() * SIZE;
    const cy = rand() * SIZE;
    const r = 3 + rand() * 2;
    for (let y = -5; y <= 5; y++) for (let x = -5; x <= 5; x++) if (x * x + y * y <= r * r) paint(data, cx + x, cy + y, NUCLEUS);
  }
  return { width: SIZE, height: SIZE, data };
}

/** Long thin fibres of the same colour, about as much of it. */
function fibreTile(seed: number): RgbImage {
  const rand = seededRandom(seed);
  const data = background(rand);
  for (let n = 0; n < 40; n++) {
    const x0 = rand() * SIZE;
    const y0 = rand() * SIZE;
    const angle = rand() * Math.PI;
    for (let t = -40; t <= 40; t += 0.5) {
      for (const w of [0, 1]) paint(data, x0 + t * Math.cos(angle) - w * Math.sin(angle), y0 + t * Math.sin(angle) + w * Math.cos(angle), NUCLEUS);
    }
  }
  return { width: SIZE, height: SIZE, data };
}

describe('histo-classic-v2, the bundled non-learned baseline (and histo-classic-v1 beside it)', () => {
  it('both are rebuilt byte for byte by scripts/build-default-backbone.mjs', () => {
    const out = tempDir();
    execFileSync(process.execPath, [path.join(appRoot(), 'scripts', 'build-default-backbone.mjs'), '--out-dir', out], { cwd: appRoot(), stdio: 'pipe' });
    expect(fs.readdirSync(out).sort()).toEqual(['histo-classic-v1.json', 'histo-classic-v1.onnx', 'histo-classic-v2.json', 'histo-classic-v2.onnx']);
    for (const { sidecar } of BUNDLED_CLASSIC_BACKBONES) {
      const bundled = bundledBackbonePath(sidecar.name);
      expect(fileDigest(path.join(out, `${sidecar.name}.onnx`))).toBe(fileDigest(bundled));
      expect(fs.readFileSync(path.join(out, `${sidecar.name}.json`), 'utf8')).toBe(fs.readFileSync(bundled.replace(/\.onnx$/, '.json'), 'utf8'));
      expect(fs.statSync(bundled).size).toBeLessThan(2 * 1024 * 1024);
    }
  });

  it('inspects as a valid backbone described by its sidecar', async () => {
    const spec = await inspectBackbone(defaultBackbonePath(), {});
    expect(spec).toMatchObject({
      name: 'histo-classic-v2',
      inputSize: 224,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      dim: 222,
      license: 'MIT',
      source: DEFAULT_BACKBONE_SIDECAR.source,
    });
    expect(DEFAULT_BACKBONE_NAME).toBe('histo-classic-v2');
    expect(DEFAULT_BACKBONE_DIM).toBe(222);
    expect(defaultBackboneFeatureNames()).toHaveLength(222);
    expect(DEFAULT_BACKBONE_SIDECAR.description).toMatch(/classical, non-learned/);
  });

  it('histo-classic-v1 stays bundled as it was: 294 features, the same sidecar', async () => {
    const spec = await inspectBackbone(bundledBackbonePath('histo-classic-v1'), {});
    expect(spec).toMatchObject({ name: 'histo-classic-v1', inputSize: 224, mean: [0, 0, 0], std: [1, 1, 1], dim: 294, license: 'MIT' });
    expect(classicFeatureNames(CLASSIC_V1.config)).toHaveLength(294);
    // v1 as shipped; a different file would orphan the vectors projects hold under this name.
    expect(fileDigest(bundledBackbonePath('histo-classic-v1'))).toBe('287b299789f2fcfec5ec1858869622b82f4fc4cf96e60126abbfd83fd160487d');
  });

  it("v2's depthwise-Conv average gives AveragePool's features (it is only faster)", async () => {
    const pooled = path.join(tempDir(), 'v2-average-pool.onnx');
    fs.writeFileSync(pooled, classicBackboneBytes({ ...CLASSIC_V2.config, averageBy: 'average-pool' }));
    const spec = await inspectBackbone(defaultBackbonePath(), {});
    const tiles = [nucleiTile(1), fibreTile(2)];
    const input = new Float32Array(tiles.length * floatsPerTile(spec));
    writeInputTensor(tiles, spec, input);
    const features: Float32Array[] = [];
    for (const file of [defaultBackbonePath(), pooled]) {
      const embedder = await Embedder.open(file, spec);
      try {
        features.push(Float32Array.from(await embedder.embed(Float32Array.from(input), tiles.length)));
      } finally {
        await embedder.close();
      }
    }
    const [conv, pool] = features as [Float32Array, Float32Array];
    expect(conv.length).toBe(2 * 222);
    for (let i = 0; i < conv.length; i++) expect(Math.abs(conv[i]! - pool[i]!)).toBeLessThan(1e-4 + 1e-3 * Math.abs(pool[i]!));
    expect(fileDigest(pooled)).not.toBe(fileDigest(defaultBackbonePath()));
  });

  it('separates two textures of the same stain colours (nearest centroid), quickly', async () => {
    const spec = await inspectBackbone(defaultBackbonePath(), {});
    const embedder = await Embedder.open(defaultBackbonePath(), spec);
    const perClass = 8;
    const tiles = [...Array.from({ length: perClass }, (_, i) => nucleiTile(100 + i)), ...Array.from({ length: perClass }, (_, i) => fibreTile(200 + i))];
    const labels = tiles.map((_, i) => (i < perClass ? 0 : 1));
    const input = new Float32Array(tiles.length * floatsPerTile(spec));
    writeInputTensor(tiles, spec, input);
    let features: Float32Array;
    try {
      await embedder.embed(input, 2); // warm-up
      const started = performance.now();
      features = await embedder.embed(input, tiles.length);
      const seconds = (performance.now() - started) / 1000;
      console.log(`histo-classic-v2 on ${embedder.provider}: ${(tiles.length / seconds).toFixed(1)} tiles/s (batch of ${tiles.length}, ${spec.dim} features)`);
      expect(tiles.length / seconds).toBeGreaterThan(2);
    } finally {
      await embedder.close();
    }
    const dim = spec.dim;
    expect(features.every(Number.isFinite)).toBe(true);
    // Train on the even tiles of each class, test on the odd ones; features z-scored on the training half.
    const train = tiles.map((_, i) => i).filter((i) => i % 2 === 0);
    const test = tiles.map((_, i) => i).filter((i) => i % 2 === 1);
    const mu = new Float64Array(dim);
    const sd = new Float64Array(dim);
    for (const i of train) for (let d = 0; d < dim; d++) mu[d]! += features[i * dim + d]! / train.length;
    for (const i of train) for (let d = 0; d < dim; d++) sd[d]! += (features[i * dim + d]! - mu[d]!) ** 2 / train.length;
    const z = (i: number, d: number) => (features[i * dim + d]! - mu[d]!) / (Math.sqrt(sd[d]!) + 1e-6);
    const centroids = [0, 1].map((label) => {
      const members = train.filter((i) => labels[i] === label);
      return Array.from({ length: dim }, (_, d) => members.reduce((s, i) => s + z(i, d), 0) / members.length);
    });
    let correct = 0;
    for (const i of test) {
      const dist = centroids.map((c) => c.reduce((s, v, d) => s + (z(i, d) - v) ** 2, 0));
      if ((dist[0]! < dist[1]! ? 0 : 1) === labels[i]) correct++;
    }
    expect(correct / test.length).toBe(1);
  });
});
