import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { planSource } from '../../../src-main/core/extraction/extraction-plan';
import { openPipelineEmbedder, queuedBatches, runEmbeddingPipeline, TAIL_PARTS } from '../../../src-main/core/extraction/embedding-pipeline';
import type { TileEmbedder } from '../../../src-main/core/backbones/inference-protocol';
import type { JobContext } from '../../../src-main/core/jobs/job-registry';
import { EmbeddingsRepo } from '../../../src-main/core/project/repos/embeddings-repo';
import { linearEmbedder } from '../../helpers/onnx-models';
import { writeTestSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

/** A job context that counts the producer's chunks (it checks for cancellation before each) and the stored batches. */
function countingContext() {
  const counts = { chunks: 0, progress: 0 };
  const ctx: JobContext = {
    jobId: 'test',
    signal: new AbortController().signal,
    progress: () => void counts.progress++,
    throwIfCancelled: () => void counts.chunks++,
  };
  return { ctx, counts };
}

async function setup() {
  const dir = tempDir();
  const slide = await writeTestSlide(dir);
  const model = linearEmbedder({ inputSize: 32, dim: 16, seed: 5, dir });
  const store = ProjectStore.create(`${dir}/p.histo`);
  const backbone = await importBackbone(store, model, { name: 'linear', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
  const plan = await planSource(store, { kind: 'slide', path: slide }, { tileSize: 32, level: 0, minTissue: 0 }, backbone.id, [0]);
  await plan.source.close();
  const sources = [{ path: slide, kind: 'slide' as const, missing: plan.missing }];
  const options = { batchSize: 7, dtype: 'float32' as const, viewNames: new Map([[0, 'original']]) };
  return { store, backbone, sources, options };
}

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A real backbone seen as `parallelism` sessions, recording how many tiles each call carried. */
function recording(inner: TileEmbedder, parallelism: number): { embedder: TileEmbedder; counts: number[] } {
  const counts: number[] = [];
  const embedder: TileEmbedder = {
    provider: inner.provider,
    dim: inner.dim,
    parallelism,
    embedBuffer: (input, count) => {
      counts.push(count);
      return inner.embedBuffer(input, count);
    },
    close: () => inner.close(),
  };
  return { embedder, counts };
}

describe('embedding pipeline', () => {
  it('reads and normalises tiles while the model is still loading, then embeds every tile once', async () => {
    const { store, backbone, sources, options } = await setup();
    try {
      let release: (embedder: TileEmbedder) => void = () => undefined;
      const opening = new Promise<TileEmbedder>((resolve) => (release = resolve));
      const { ctx, counts } = countingContext();
      const running = runEmbeddingPipeline(store, backbone, sources, options, ctx, opening);
      // Several chunks are read before the model exists; nothing can be stored yet.
      await waitFor(() => counts.chunks >= 4);
      expect(counts.progress).toBe(0);
      release(await openPipelineEmbedder(backbone, {}));
      const result = await running;
      expect(result.embedded).toBe(16 * 12);
      expect(result.failed).toEqual([]);
      expect(new EmbeddingsRepo(store.db).loadMatrix(backbone.id, 16).count).toBe(16 * 12);
    } finally {
      store.close();
    }
  });

  it('fails with the model-loading error after reading ahead, and stores nothing', async () => {
    const { store, backbone, sources, options } = await setup();
    try {
      let fail: (err: Error) => void = () => undefined;
      const opening = new Promise<TileEmbedder>((_, reject) => (fail = reject));
      const { ctx, counts } = countingContext();
      const running = runEmbeddingPipeline(store, backbone, sources, options, ctx, opening);
      await waitFor(() => counts.chunks >= 2);
      fail(new Error('/models/linear.onnx: cannot load the model: truncated file'));
      await expect(running).rejects.toThrow('/models/linear.onnx: cannot load the model: truncated file');
      expect(new EmbeddingsRepo(store.db).loadMatrix(backbone.id, 16).count).toBe(0);
    } finally {
      store.close();
    }
  });

  it('sends the last batches in parts, so the sessions finish together, and stores each tile with its own vector', async () => {
    const stored: Array<{ counts: number[]; vectors: Map<number, number[]> }> = [];
    for (const parallelism of [2, 1]) {
      const { store, backbone, sources, options } = await setup();
      try {
        const { embedder, counts } = recording(await openPipelineEmbedder(backbone, {}), parallelism);
        // The backbone arrives once every tile is read and queued, so which batches are the last is certain.
        let read: () => void = () => undefined;
        const allRead = new Promise<void>((resolve) => (read = resolve));
        const signalling = Object.assign([...sources], {
          *[Symbol.iterator]() {
            yield* Array.prototype.values.call(sources);
            read();
          },
        });
        const opening = allRead.then(() => new Promise<TileEmbedder>((resolve) => setImmediate(() => resolve(embedder))));
        const result = await runEmbeddingPipeline(store, backbone, signalling, options, undefined, opening);
        expect(result.embedded).toBe(16 * 12);
        const matrix = new EmbeddingsRepo(store.db).loadMatrix(backbone.id, 16);
        const vectors = new Map(Array.from(matrix.tileIds, (id, i) => [id, Array.from(matrix.vectors.subarray(i * 16, (i + 1) * 16))] as const));
        stored.push({ counts, vectors });
      } finally {
        store.close();
      }
    }
    const [split, whole] = stored;
    // 192 tiles in batches of 7: 27 whole batches and one of 3. With one session nothing is split.
    expect(whole!.counts).toEqual([...Array(27).fill(7), 3]);
    // With two, the batches shifted once fewer than two remain queued go out in parts: the last two.
    const part = Math.ceil(7 / TAIL_PARTS);
    expect(split!.counts.slice(0, 26)).toEqual(Array(26).fill(7));
    expect(split!.counts.slice(26)).toEqual([part, part, part, 7 - 3 * part, 1, 1, 1]);
    // Each part's vectors went to its own tiles: the same as whole batches gave.
    expect([...split!.vectors.keys()]).toEqual([...whole!.vectors.keys()]);
    for (const [id, vector] of whole!.vectors) expect(split!.vectors.get(id)).toEqual(vector);
  });

  it('queues at least two batches, and no more than 64 MiB of tile pixels when batches are small', () => {
    const mobileNetBatch16 = 16 * 3 * 224 * 224;
    expect(queuedBatches(mobileNetBatch16)).toBe(Math.floor((64 * 2 ** 20) / mobileNetBatch16));
    expect(queuedBatches(mobileNetBatch16) * mobileNetBatch16).toBeLessThanOrEqual(64 * 2 ** 20);
    expect(queuedBatches(1024 * 3 * 224 * 224)).toBe(2);
  });
});
