import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src-shared/contract';
import { SupervisedCore } from '../../../src-main/core/host/supervised-core';
import { workerCoreHost } from '../../../src-main/core/host/worker-core-host';
import { linearEmbedder } from '../../helpers/onnx-models';
import { useTempDir } from '../../helpers/temp-dir';
import { writeTissueTiff } from '../slides-library/generated-slides';

const tempDir = useTempDir();
const open: SupervisedCore[] = [];

async function supervised(options: ConstructorParameters<typeof SupervisedCore>[1] = {}): Promise<SupervisedCore> {
  const home = tempDir();
  const core = await SupervisedCore.start(() => workerCoreHost({ env: { ...process.env, HISTO_HOME: home } }), options);
  open.push(core);
  return core;
}

async function resultOf(core: SupervisedCore, method: string, input: unknown): Promise<unknown> {
  const envelope = await core.dispatch(method, input);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.result;
}

/** Ends the core's thread as a crash would, and waits until the thread is gone (calls already in flight then fail, as in a crash). */
async function crash(core: SupervisedCore): Promise<void> {
  const dead = core.current;
  let gone = false;
  dead.onUnexpectedStop(() => (gone = true));
  dead.kill();
  await expect.poll(() => gone, { timeout: 10_000, interval: 10 }).toBe(true);
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((core) => core.close()));
});

describe('a supervised core host', () => {
  it('restarts a core whose thread dies, reopens the project and fails the jobs that were running', async () => {
    const restarts: string[] = [];
    const core = await supervised({ onRestart: (reason) => restarts.push(reason) });
    const dir = tempDir();
    const projectPath = path.join(dir, 'study.histo');
    await resultOf(core, 'project.create', { path: projectPath });
    await resultOf(core, 'backbone.import', { path: linearEmbedder({ inputSize: 32, dim: 8, seed: 5, dir }), name: 'lin' });
    const slide = (await writeTissueTiff(path.join(dir, 'big.tif'), { width: 4096, height: 3072 })).file;

    const events: JobEvent[] = [];
    core.onJobEvent((event) => events.push(event));
    const { jobId } = (await resultOf(core, 'embed.start', { paths: [slide], backbone: 'lin', tileSize: 32, mpp: 0.5, minTissue: 0 })) as { jobId: string };
    // Kill the core while the job reports progress (a native crash mid-extraction).
    await expect.poll(() => events.some((e) => e.jobId === jobId && e.state === 'running' && e.done > 0), { timeout: 30_000, interval: 20 }).toBe(true);
    const dead = core.current;
    await crash(core);

    // A call made at once waits for the new core, which has the same project open.
    const current = (await resultOf(core, 'project.current', {})) as { path: string } | null;
    expect(current?.path).toBe(projectPath);
    expect(core.current).not.toBe(dead);
    expect(restarts).toHaveLength(1);
    expect(restarts[0]).toMatch(/thread ended/);

    // The job that was running is reported failed, in words, not left spinning.
    const last = events.filter((e) => e.jobId === jobId).at(-1)!;
    expect(last.state).toBe('failed');
    expect(last.message).toMatch(/core stopped .* restarted; this job did not finish/);

    // The project still works: the interrupted extraction left a consistent file that the new core reads.
    expect(await resultOf(core, 'backbone.list', {})).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'lin' })]));
    const slides = (await resultOf(core, 'slide.list', {})) as unknown[];
    expect(slides).toHaveLength(1);
    // Job events of the new core still reach the shell's listener.
    const again = (await resultOf(core, 'embed.start', { paths: [slide], backbone: 'lin', tileSize: 32, mpp: 0.5, minTissue: 0 })) as { jobId: string };
    await expect.poll(() => events.find((e) => e.jobId === again.jobId && e.state !== 'running')?.state, { timeout: 60_000, interval: 50 }).toBe('done');
  }, 120_000);

  it('stays down with a clear message when the core keeps dying', async () => {
    const core = await supervised({ maxRestarts: 2, restartWindowMs: 60_000 });
    for (let i = 0; i < 2; i++) {
      await crash(core);
      expect(await core.dispatch('project.current', {})).toEqual({ ok: true, result: null });
    }
    await crash(core);
    const answer = await core.dispatch('project.current', {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/stopped 3 times within 60 s .*restart the app/) } });
    await expect(core.renderSlideImage('slides/1/thumbnail.jpg', new URLSearchParams())).rejects.toThrow(/restart the app/);
  }, 60_000);

  it('does not bring a core back that was closed on purpose', async () => {
    const restarts: string[] = [];
    const core = await supervised({ onRestart: (reason) => restarts.push(reason) });
    const first = core.current;
    await core.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(restarts).toEqual([]);
    expect(core.current).toBe(first);
    expect(await core.dispatch('project.current', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
