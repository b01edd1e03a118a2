import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEnvelope, JobEvent, JobOutcome } from '../../../src-shared/contract';
import type { CoreHostClient } from '../../../src-main/core/host/core-host-client';
import { startWorkerCoreHost } from '../../../src-main/core/host/worker-core-host';
import { startServer, type RunningServer } from '../../../src-main/server/histo-server';
import { writeTwoRegionSlide } from '../../helpers/embedding-fixtures';
import { linearEmbedder } from '../../helpers/onnx-models';
import { writeTissueTiff } from '../slides-library/generated-slides';

/**
 * The rule of the performance issue: the thread that serves the UI never stalls, because the core
 * (SQLite writes, tiling, prediction, job bookkeeping) runs on the core host's thread. Extraction,
 * training and prediction run together while this thread, which only routes, is sampled.
 */
const P99_LIMIT_MS = 50;

type Call = (method: string, input: unknown) => Promise<CallEnvelope<unknown>>;

async function resultOf(call: Call, method: string, input: unknown): Promise<unknown> {
  const envelope = await call(method, input);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.result;
}

/** Waits for a job to end by asking the core, as a page that missed events would. */
async function outcomeOf(call: Call, jobId: string): Promise<JobOutcome> {
  for (;;) {
    const outcome = (await resultOf(call, 'job.result', { jobId })) as JobOutcome | null;
    if (outcome && outcome.state !== 'running') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Study {
  dir: string;
  project: string;
  headId: number;
  labelledSlide: string;
}

/** A project with a labelled, embedded slide and a logistic-regression head, built through the host. */
async function buildStudy(call: Call, dir: string): Promise<Study> {
  const project = path.join(dir, 'busy.histo');
  await resultOf(call, 'project.create', { path: project });
  await resultOf(call, 'backbone.import', { path: linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), name: 'lin' });
  const labelledSlide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
  const { jobId } = (await resultOf(call, 'embed.start', { paths: [labelledSlide], backbone: 'lin', tileSize: 32, mpp: 0.5, minTissue: 0 })) as { jobId: string };
  expect(await outcomeOf(call, jobId)).toMatchObject({ state: 'done' });
  await resultOf(call, 'task.create', { name: 'tumour', classes: ['stroma', 'tumour'] });
  const rows = [
    'source,x,y,label',
    ...[0, 32, 64, 96, 128, 160].flatMap((x) => [`${labelledSlide},${x},0,tumour`, `${labelledSlide},${x},128,tumour`]),
    ...[320, 352, 384, 416, 448, 480].flatMap((x) => [`${labelledSlide},${x},0,stroma`, `${labelledSlide},${x},128,stroma`]),
  ];
  fs.writeFileSync(path.join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
  await resultOf(call, 'label.import', { task: 'tumour', path: path.join(dir, 'labels.csv') });
  const trained = (await resultOf(call, 'train.start', { task: 'tumour', backbone: 'lin', kind: 'logreg', folds: 2, group: 'none' })) as { jobId: string };
  const outcome = await outcomeOf(call, trained.jobId);
  expect(outcome).toMatchObject({ state: 'done' });
  return { dir, project, headId: (outcome.result as { headId: number }).headId, labelledSlide };
}

/** Tiles of 32 px the slide to embed holds. */
const EMBED_TILES = 64 * 48;

/** Two new slides for one run: one to embed, one to predict; `variant` makes them differ from another run's. */
async function newSlides(dir: string, variant: number): Promise<{ embedded: string; predicted: string }> {
  // Slides are known by content: another size keeps a run from finding the last run's tiles.
  const embedded = (await writeTissueTiff(path.join(dir, `embed-${variant}.tif`), { width: 2048, height: 1536 + 2 * variant })).file;
  const predicted = (await writeTissueTiff(path.join(dir, `predict-${variant}.tif`), { width: 1536, height: 1024 + 2 * variant })).file;
  return { embedded, predicted };
}

/**
 * Extraction of a new slide, an MLP training and a prediction over the labelled slide and another
 * new one (which it embeds first) at once; resolves with their outcomes once all three ended.
 */
async function runTogether(call: Call, study: Study, { embedded, predicted }: { embedded: string; predicted: string }): Promise<JobOutcome[]> {
  const jobs = (await Promise.all([
    resultOf(call, 'embed.start', { paths: [embedded], backbone: 'lin', tileSize: 32, mpp: 0.5, minTissue: 0 }),
    resultOf(call, 'train.start', { task: 'tumour', backbone: 'lin', kind: 'mlp', folds: 3, group: 'none' }),
    resultOf(call, 'predict.start', { head: study.headId, paths: [study.labelledSlide, predicted] }),
  ])) as Array<{ jobId: string }>;
  return Promise.all(jobs.map(({ jobId }) => outcomeOf(call, jobId)));
}

/**
 * An idle thread of this process that only samples its own event-loop delay: what the machine's
 * scheduler alone costs a thread that does nothing (other programs, our own workers).
 */
const IDLE_SAMPLER = `
  const { parentPort } = require('node:worker_threads');
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  parentPort.postMessage('sampling');
  parentPort.once('message', () => {
    histogram.disable();
    parentPort.postMessage({ p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 });
  });
`;

interface Delays {
  p99: number;
  max: number;
  /** The same figures of an idle thread sampled over the same time. */
  idle: { p99: number; max: number };
}

/** Samples this thread's event-loop delay (ms) while `work` runs, beside an idle thread's. */
async function loopDelayDuring<T>(work: () => Promise<T>): Promise<Delays & { value: T }> {
  const idleThread = new Worker(IDLE_SAMPLER, { eval: true });
  await new Promise((resolve) => idleThread.once('message', resolve));
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const value = await work();
    histogram.disable();
    const idle = new Promise<Delays['idle']>((resolve) => idleThread.once('message', resolve));
    idleThread.postMessage('stop');
    return { value, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, idle: await idle };
  } finally {
    histogram.disable();
    void idleThread.terminate();
  }
}

/**
 * The rule: p99 under 50 ms. On a machine so busy that even an idle thread waits longer (a shared
 * 2-core CI box running other suites), the routing thread may not add more than MARGIN_MS to what
 * the idle thread saw: the work is elsewhere, so what remains is the scheduler's, not ours.
 */
const MARGIN_MS = 20;
function expectResponsive(delays: Delays, what: string): void {
  console.log(
    `${what} event-loop delay during extraction + training + prediction: p99 ${delays.p99.toFixed(1)} ms, max ${delays.max.toFixed(1)} ms` +
      ` (an idle thread beside it: p99 ${delays.idle.p99.toFixed(1)} ms, max ${delays.idle.max.toFixed(1)} ms)`,
  );
  expect(delays.p99).toBeLessThan(Math.max(P99_LIMIT_MS, delays.idle.p99 + MARGIN_MS));
}

function expectAllDone(outcomes: JobOutcome[]): void {
  expect(outcomes.map((o) => [o.kind, o.state, o.error?.message ?? null])).toEqual([
    ['embed', 'done', null],
    ['train', 'done', null],
    ['predict', 'done', null],
  ]);
  expect((outcomes[0]!.result as { embedded: number }).embedded).toBe(EMBED_TILES);
}

describe('a host thread that never stalls', () => {
  let host: CoreHostClient;
  let study: Study;
  const call: Call = (method, input) => host.dispatch(method, input);
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-busy-host-'));
    host = await startWorkerCoreHost();
    study = await buildStudy(call, dir);
  });
  afterAll(async () => {
    await host?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps the host thread's event-loop delay under ${P99_LIMIT_MS} ms (p99), or its idle neighbour's, while extraction, training and prediction run`, async () => {
    const slides = await newSlides(dir, 0);
    const events: JobEvent[] = [];
    const stop = host.onJobEvent((event) => events.push(event));
    const { value: outcomes, ...delays } = await loopDelayDuring(() => runTogether(call, study, slides));
    stop();
    expectAllDone(outcomes);
    // Progress reached this thread for each job, ending in its final state.
    for (const outcome of outcomes) expect(events.filter((e) => e.jobId === outcome.jobId).at(-1)?.state).toBe('done');
    expectResponsive(delays, 'host thread');
  });

  it('keeps the HTTP thread of the server answering quickly while the same jobs run', async () => {
    const slides = await newSlides(dir, 1);
    const server: RunningServer = await startServer({ core: host });
    try {
      const api: Call = async (method, input) => {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Histo-Token': server.token },
          body: JSON.stringify(input),
        });
        return (await response.json()) as CallEnvelope<unknown>;
      };
      // A cheap call through the core, every 100 ms, timed from request to answer.
      const latencies: number[] = [];
      let running = true;
      const probe = (async () => {
        while (running) {
          const started = performance.now();
          expect(await api('job.list', {})).toMatchObject({ ok: true });
          latencies.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const { value: outcomes, ...delays } = await loopDelayDuring(async () => {
        try {
          return await runTogether(api, study, slides);
        } finally {
          running = false;
          await probe;
        }
      });
      expectAllDone(outcomes);
      latencies.sort((a, b) => a - b);
      const median = latencies[Math.floor(latencies.length / 2)]!;
      const p95 = latencies[Math.floor(latencies.length * 0.95)]!;
      console.log(`job.list through the server answered in median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms over ${latencies.length} calls`);
      expect(latencies.length).toBeGreaterThan(5);
      expectResponsive(delays, 'HTTP thread');
    } finally {
      await server.close();
    }
  });
});
