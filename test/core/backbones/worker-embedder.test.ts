import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Embedder } from '../../../src-main/core/backbones/embedder';
import { inspectBackbone } from '../../../src-main/core/backbones/inspect-backbone';
import { floatsPerTile } from '../../../src-main/core/backbones/preprocess';
import { openTileEmbedder, WorkerEmbedder } from '../../../src-main/core/backbones/worker-embedder';
import { CPU_RUN_BATCH, HEAVY_RUN_BATCH, LIGHT_MODEL_MAX_BYTES, planSessions } from '../../../src-main/core/backbones/session-plan';
import { workerScript } from '../../../src-main/core/app-root';
import { linearEmbedder, resnetLikeModel } from '../../helpers/onnx-models';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
// The test run builds dist/ first (test/global-setup.ts), so the worker bundle is there.
const script = workerScript('inference');

function filled(length: number, seed: number): Float32Array {
  const input = new Float32Array(length);
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 0.37 + seed);
  return input;
}

describe('WorkerEmbedder: a backbone session on its own thread', () => {
  it('gives bit-identical embeddings to a session on this thread and hands the input buffer back', async () => {
    expect(fs.existsSync(script)).toBe(true);
    const file = linearEmbedder({ inputSize: 32, dim: 12, seed: 7, dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    const local = await Embedder.open(file, spec, { provider: 'cpu' });
    // Threads set by the caller: one session, on one worker.
    const remote = await openTileEmbedder(file, spec, { provider: 'cpu', intraOpThreads: 1 });
    try {
      expect(remote).toBeInstanceOf(WorkerEmbedder);
      expect(remote.parallelism).toBe(1);
      expect(remote.provider).toBe('cpu');
      let buffer = filled(5 * floatsPerTile(spec), 1);
      for (const [seed, count] of [[1, 5], [2, 3], [3, 5]] as const) {
        buffer.set(filled(buffer.length, seed));
        const expected = Float32Array.from(await local.embed(buffer, count));
        const sentBytes = buffer.byteLength;
        const answer = await remote.embedBuffer(buffer, count);
        expect(answer.output).toEqual(expected);
        // The buffer travelled without a copy and came back whole, ready for the next batch.
        expect(buffer.byteLength).toBe(0);
        expect(answer.input.byteLength).toBe(sentBytes);
        buffer = answer.input;
      }
      await expect(remote.embedBuffer(new Float32Array(floatsPerTile(spec)), 4)).rejects.toThrow(/cannot embed 4 tiles/);
    } finally {
      await local.close();
      await remote.close();
    }
    await expect(remote.embedBuffer(new Float32Array(floatsPerTile(spec)), 1)).rejects.toThrow(/closed/);
  });

  it('reads a batch in shared memory where it is: the same embeddings, and the same array back, still whole', async () => {
    const file = linearEmbedder({ inputSize: 32, dim: 12, seed: 3, dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    const local = await Embedder.open(file, spec, { provider: 'cpu' });
    const remote = await openTileEmbedder(file, spec, { provider: 'cpu', intraOpThreads: 1 });
    try {
      const shared = new Float32Array(new SharedArrayBuffer(5 * floatsPerTile(spec) * 4));
      for (const [seed, count] of [[1, 5], [2, 2], [3, 4]] as const) {
        shared.set(filled(shared.length, seed));
        const expected = Float32Array.from(await local.embed(Float32Array.from(shared), count));
        // The in-thread session takes shared memory too (it copies: ONNX Runtime refuses it).
        expect(await local.embed(shared, count)).toEqual(expected);
        const answer = await remote.embedBuffer(shared, count);
        expect(answer.output).toEqual(expected);
        expect(answer.input).toBe(shared);
        expect(shared.byteLength).toBe(5 * floatsPerTile(spec) * 4);
      }
    } finally {
      await local.close();
      await remote.close();
    }
  });

  it('reports a model that does not match its spec as the in-thread session words it', async () => {
    const file = linearEmbedder({ inputSize: 32, dim: 12, seed: 7, dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    await expect(openTileEmbedder(file, { ...spec, outputName: 'features' })).rejects.toThrow(/no output named features/);
  });

  it('keeps the calling thread free while a batch runs', async () => {
    // onnxruntime-node runs a session synchronously on the thread that calls it: a timer on that
    // thread cannot fire during a run. On the worker, it keeps firing.
    const file = resnetLikeModel({ dir: tempDir(), fileName: 'resnet-like.onnx' });
    const spec = await inspectBackbone(file, {});
    const remote = await openTileEmbedder(file, spec, {});
    try {
      const input = filled(8 * floatsPerTile(spec), 3);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      await remote.embedBuffer(input, 8);
      const elapsed = performance.now() - started;
      clearInterval(timer);
      // One tick per 5 ms is the ideal; a loaded machine delays timers, so ask for a small share.
      expect(ticks).toBeGreaterThanOrEqual(Math.min(10, Math.floor(elapsed / 50)));
      expect(ticks).toBeGreaterThan(0);
    } finally {
      await remote.close();
    }
  });

  it('runs a light model as one single-threaded session per core, each batch giving what a single session gives', async () => {
    const file = linearEmbedder({ inputSize: 32, dim: 12, seed: 9, dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    const local = await Embedder.open(file, spec, { provider: 'cpu' });
    const pool = await openTileEmbedder(file, spec, { provider: 'cpu' });
    try {
      expect(pool.parallelism).toBe(planSessions({ modelBytes: fs.statSync(file).size, provider: 'cpu', candidates: ['cpu'] }).sessions);
      // Batches in flight together, on whichever session is free: every answer matches its own input.
      const inputs = [1, 2, 3, 4, 5].map((seed) => filled(3 * floatsPerTile(spec), seed));
      const expected = await Promise.all(inputs.map(async (input) => Float32Array.from(await local.embed(input, 3))));
      const answers = await Promise.all(inputs.map((input) => pool.embedBuffer(Float32Array.from(input), 3)));
      answers.forEach((answer, i) => expect(answer.output).toEqual(expected[i]));
      await expect(pool.embedBuffer(new Float32Array(floatsPerTile(spec)), 4)).rejects.toThrow(/cannot embed 4 tiles/);
    } finally {
      await local.close();
      await pool.close();
    }
    await expect(pool.embedBuffer(new Float32Array(floatsPerTile(spec)), 1)).rejects.toThrow(/closed/);
  });
});

describe('runs of a few tiles (EmbedderOptions.runBatch)', () => {
  it('embeds a batch larger than the run batch in several runs, giving what one run gives, for floats and for bytes', async () => {
    const file = linearEmbedder({ inputSize: 32, dim: 12, seed: 5, dir: tempDir() });
    const spec = await inspectBackbone(file, {});
    for (const pixelInput of [false, true]) {
      const whole = await Embedder.open(file, spec, { provider: 'cpu', pixelInput });
      const cut = await Embedder.open(file, spec, { provider: 'cpu', pixelInput, runBatch: 2 });
      try {
        const floats = filled(7 * floatsPerTile(spec), 4);
        const input = pixelInput ? Uint8Array.from(floats, (v) => Math.round((v + 1) * 127)) : floats;
        for (const count of [7, 2, 1]) {
          const expected = Float32Array.from(await whole.embed(input, count));
          const output = await cut.embed(input, count);
          expect(output.length).toBe(count * spec.dim);
          for (let i = 0; i < expected.length; i++) expect(output[i]).toBeCloseTo(expected[i]!, 5);
        }
      } finally {
        await whole.close();
        await cut.close();
      }
    }
  });
});

describe('planSessions', () => {
  const light = 14 * 2 ** 20;
  it('gives a light CPU model one single-threaded session per core, up to four', () => {
    expect(planSessions({ modelBytes: light, provider: 'cpu', candidates: ['cpu'], cores: 2 })).toEqual({ sessions: 2, intraOpThreads: 1, runBatch: CPU_RUN_BATCH });
    expect(planSessions({ modelBytes: light, provider: 'auto', candidates: ['cpu'], cores: 16 })).toEqual({ sessions: 4, intraOpThreads: 4 });
    expect(planSessions({ modelBytes: light, provider: 'auto', candidates: ['cpu'], cores: 1 })).toEqual({ sessions: 1, intraOpThreads: undefined });
  });

  it('runs a heavier model on single-threaded sessions in larger runs, by the size of its file', () => {
    const plan = (modelBytes: number) => planSessions({ modelBytes, provider: 'cpu', candidates: ['cpu'], cores: 2 });
    expect(HEAVY_RUN_BATCH).toBeGreaterThan(CPU_RUN_BATCH);
    expect(plan(LIGHT_MODEL_MAX_BYTES)).toEqual({ sessions: 2, intraOpThreads: 1, runBatch: CPU_RUN_BATCH });
    expect(plan(LIGHT_MODEL_MAX_BYTES + 1)).toEqual({ sessions: 2, intraOpThreads: 1, runBatch: HEAVY_RUN_BATCH });
    expect(plan(45 * 2 ** 20)).toEqual({ sessions: 2, intraOpThreads: 1, runBatch: HEAVY_RUN_BATCH }); // ResNet-18
    // Sessions of several threads split each run among them: never cut.
    expect(planSessions({ modelBytes: 45 * 2 ** 20, provider: 'cpu', candidates: ['cpu'], cores: 8 })).toEqual({ sessions: 4, intraOpThreads: 2 });
  });

  it('keeps one session for heavy models, GPU providers and threads the caller set', () => {
    expect(planSessions({ modelBytes: 400 * 2 ** 20, provider: 'cpu', candidates: ['cpu'], cores: 2 }).sessions).toBe(1);
    expect(planSessions({ modelBytes: 200 * 2 ** 20, provider: 'cpu', candidates: ['cpu'], cores: 4 })).toEqual({ sessions: 2, intraOpThreads: 2 });
    expect(planSessions({ modelBytes: light, provider: 'auto', candidates: ['cuda', 'cpu'], cores: 8 }).sessions).toBe(1);
    expect(planSessions({ modelBytes: light, provider: 'cuda', candidates: ['cpu'], cores: 8 }).sessions).toBe(1);
    expect(planSessions({ modelBytes: light, provider: 'cpu', candidates: ['cpu'], cores: 8, intraOpThreads: 3 })).toEqual({ sessions: 1, intraOpThreads: 3 });
  });
});
