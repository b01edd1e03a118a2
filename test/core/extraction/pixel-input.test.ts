import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Embedder } from '../../../src-main/core/backbones/embedder';
import { inspectBackbone } from '../../../src-main/core/backbones/inspect-backbone';
import { floatsPerTile, writeInputTensor } from '../../../src-main/core/backbones/preprocess';
import { openTileEmbedder } from '../../../src-main/core/backbones/worker-embedder';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';
import { GraphBuilder } from '../../../src-main/core/onnx/graph-builder';
import { PIXEL_INPUT, withPixelInput } from '../../../src-main/core/onnx/pixel-input';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { linearEmbedder } from '../../helpers/onnx-models';
import { externalDataModel } from '../../helpers/hostile-models';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

function randomTiles(count: number, size: number, seed: number): RgbImage[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => ({ width: size, height: size, data: Uint8Array.from({ length: size * size * 3 }, () => Math.floor(rand() * 256)) }));
}

/** The tiles' bytes back to back: a pixel batch as the extraction pipeline fills it. */
function pixelBatch(tiles: readonly RgbImage[]): Uint8Array {
  const out = new Uint8Array(tiles.reduce((n, t) => n + t.data.length, 0));
  tiles.reduce((offset, t) => (out.set(t.data, offset), offset + t.data.length), 0);
  return out;
}

/** A "backbone" whose embedding is its whole input tensor: shows exactly what the original graph is fed. */
function identityModel(dir: string, size: number): string {
  const g = new GraphBuilder('identity');
  const x = g.input('input', ['N', 3, size, size]);
  g.output(g.op('Flatten', [x], { axis: 1 }, 'embedding'), ['N', 3 * size * size]);
  const file = path.join(dir, 'identity.onnx');
  fs.writeFileSync(file, g.toBytes());
  return file;
}

const imagenet = { mean: [0.485, 0.456, 0.406] as [number, number, number], std: [0.229, 0.224, 0.225] as [number, number, number] };

describe('backbones that take RGB bytes (normalisation inside the graph)', () => {
  it('feeds the original graph the NCHW tensor writeInputTensor writes, to the last bit or so', async () => {
    const size = 8;
    const file = identityModel(tempDir(), size);
    const spec = await inspectBackbone(file, imagenet);
    const tiles = randomTiles(3, size, 11);
    // Every byte value in every channel, so the whole table is compared.
    tiles[0]!.data.set(Uint8Array.from({ length: size * size * 3 }, (_, i) => i % 256));
    const expected = new Float32Array(3 * floatsPerTile(spec));
    writeInputTensor(tiles, spec, expected);
    const wrapped = await Embedder.open(file, spec, { provider: 'cpu', pixelInput: true });
    try {
      const fed = await wrapped.embed(pixelBatch(tiles), 3);
      expect(fed.length).toBe(expected.length);
      let worst = 0;
      for (let i = 0; i < fed.length; i++) worst = Math.max(worst, Math.abs(fed[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-6);
      await expect(wrapped.embed(expected, 1)).rejects.toThrow(/takes RGB bytes/);
    } finally {
      await wrapped.close();
    }
  });

  it('gives the embeddings of the unwrapped model on the same tiles, on worker threads too', async () => {
    const file = linearEmbedder({ inputSize: 32, dim: 12, seed: 7, dir: tempDir() });
    const spec = await inspectBackbone(file, imagenet);
    const tiles = randomTiles(5, 32, 3);
    const floats = new Float32Array(5 * floatsPerTile(spec));
    writeInputTensor(tiles, spec, floats);
    const plain = await Embedder.open(file, spec, { provider: 'cpu' });
    const remote = await openTileEmbedder(file, spec, { provider: 'cpu', pixelInput: true });
    try {
      const expected = await plain.embed(floats, 5);
      const sent = pixelBatch(tiles);
      const answer = await remote.embedBuffer(sent, 5);
      // The byte batch travelled to the worker and came back whole, as bytes.
      expect(answer.input).toBeInstanceOf(Uint8Array);
      expect(answer.input.byteLength).toBe(5 * floatsPerTile(spec));
      expect(answer.output.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) expect(answer.output[i]).toBeCloseTo(expected[i]!, 5);
    } finally {
      await plain.close();
      await remote.close();
    }
  });

  it('normalises on the embedder thread for a model with external weights, which a session from bytes could not find', async () => {
    const file = externalDataModel(tempDir(), 'weights/w.bin');
    const spec = await inspectBackbone(file, imagenet);
    expect(withPixelInput(fs.readFileSync(file), spec, file)).toBeNull();
    const tiles = randomTiles(2, 32, 5);
    const floats = new Float32Array(2 * floatsPerTile(spec));
    writeInputTensor(tiles, spec, floats);
    const plain = await Embedder.open(file, spec, { provider: 'cpu' });
    const bytes = await Embedder.open(file, spec, { provider: 'cpu', pixelInput: true });
    try {
      expect(bytes.pixelInput).toBe(true);
      // The same float tensor reaches the same session: identical embeddings.
      expect(await bytes.embed(pixelBatch(tiles), 2)).toEqual(await plain.embed(floats, 2));
    } finally {
      await plain.close();
      await bytes.close();
    }
  });

  it('refuses a model without the backbone input, naming the file', () => {
    const file = linearEmbedder({ inputSize: 32, dim: 4, seed: 1, dir: tempDir() });
    const bytes = fs.readFileSync(file);
    expect(() => withPixelInput(bytes, { inputName: 'pixels', inputSize: 32, ...imagenet }, file)).toThrow(`${file}: does not match its backbone spec: no input named pixels`);
    const once = withPixelInput(bytes, { inputName: 'input', inputSize: 32, ...imagenet }, file);
    expect(() => withPixelInput(once!, { inputName: PIXEL_INPUT, inputSize: 32, ...imagenet }, file)).toThrow(/already has a value named histo_pixels/);
  });
});
