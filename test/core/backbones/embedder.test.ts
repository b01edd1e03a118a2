import { describe, expect, it } from 'vitest';
import { Embedder } from '../../../src-main/core/backbones/embedder';
import { inspectBackbone } from '../../../src-main/core/backbones/inspect-backbone';
import { floatsPerTile, writeInputTensor } from '../../../src-main/core/backbones/preprocess';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { LINEAR_GRID, linearEmbedder, linearEmbedderWeights, resnetLikeModel } from '../../helpers/onnx-models';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

function randomTiles(count: number, size: number, seed: number): RgbImage[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const data = new Uint8Array(size * size * 3);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
    return { width: size, height: size, data };
  });
}

/** What linearEmbedder computes, in plain JS: cell means of the normalised tile, times W, plus b. */
function expectedLinear(tile: RgbImage, size: number, mean: number[], std: number[], dim: number, seed: number): Float64Array {
  const { weight, bias, features } = linearEmbedderWeights({ dim, seed });
  const cell = size / LINEAR_GRID;
  const feat = new Float64Array(features);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = (tile.data[(y * size + x) * 3 + c]! / 255 - mean[c]!) / std[c]!;
        feat[c * LINEAR_GRID * LINEAR_GRID + Math.floor(y / cell) * LINEAR_GRID + Math.floor(x / cell)]! += v / (cell * cell);
      }
    }
  }
  const out = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    let sum = bias[d]!;
    for (let f = 0; f < features; f++) sum += feat[f]! * weight[f * dim + d]!;
    out[d] = sum;
  }
  return out;
}

describe('Embedder', () => {
  it('embeds a batch to the values computed independently, reusing one input buffer', async () => {
    const size = 32;
    const dim = 12;
    const file = linearEmbedder({ inputSize: size, dim, seed: 5, dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    const embedder = await Embedder.open(file, spec, { provider: 'cpu', intraOpThreads: 1 });
    try {
      expect(embedder.dim).toBe(dim);
      expect(embedder.provider).toBe('cpu');
      const input = new Float32Array(4 * floatsPerTile(spec));
      for (const [seed, count] of [
        [1, 4],
        [2, 4],
        [3, 3],
      ] as const) {
        const tiles = randomTiles(count, size, seed);
        writeInputTensor(tiles, spec, input);
        const out = await embedder.embed(input, count);
        expect(out.length).toBe(count * dim);
        tiles.forEach((tile, t) => {
          const expected = expectedLinear(tile, size, spec.mean, spec.std, dim, 5);
          for (let d = 0; d < dim; d++) expect(out[t * dim + d]!).toBeCloseTo(expected[d]!, 3);
        });
      }
      await expect(embedder.embed(input, 5)).rejects.toThrow(/cannot embed 5 tiles/);
    } finally {
      await embedder.close();
    }
    await expect(embedder.embed(new Float32Array(floatsPerTile(spec)), 1)).rejects.toThrow(/closed/);
  });

  it('refuses a spec that does not match the model', async () => {
    const file = linearEmbedder({ inputSize: 16, dim: 4, seed: 1, dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    await expect(Embedder.open(file, { ...spec, outputName: 'features' })).rejects.toThrow(/no output named features/);
  });

  it('runs the ResNet-18-sized benchmark model to [N, 512]', async () => {
    const file = resnetLikeModel({ dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    expect(spec).toMatchObject({ inputSize: 224, dim: 512 });
    const embedder = await Embedder.open(file, spec);
    try {
      const input = new Float32Array(2 * floatsPerTile(spec));
      writeInputTensor(randomTiles(2, 224, 9), spec, input);
      const started = performance.now();
      const out = await embedder.embed(input, 2);
      const seconds = (performance.now() - started) / 1000;
      console.log(`resnet-like 224 -> 512 on ${embedder.provider}: ${(2 / seconds).toFixed(1)} tiles/s (batch of 2)`);
      expect(out.length).toBe(1024);
      expect(out.every(Number.isFinite)).toBe(true);
      expect(out.some((v) => v !== 0)).toBe(true);
    } finally {
      await embedder.close();
    }
  });
});
