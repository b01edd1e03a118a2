import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobOutcome } from '../../../src-shared/contract';
import { workerScript } from '../../../src-main/core/app-root';
import { HistoError } from '../../../src-main/core/errors';
import { HistoCore } from '../../../src-main/core/histo-core';
import { CoreHostClient, type HostChannel } from '../../../src-main/core/host/core-host-client';
import type { CoreMessage, ShellMessage } from '../../../src-main/core/host/host-protocol';
import { startWorkerCoreHost } from '../../../src-main/core/host/worker-core-host';
import { writeTwoRegionSlide } from '../../helpers/embedding-fixtures';
import { linearEmbedder } from '../../helpers/onnx-models';
import { useTempDir } from '../../helpers/temp-dir';
import { writeTissueTiff } from '../slides-library/generated-slides';

const tempDir = useTempDir();

async function resultOf(host: CoreHostClient, method: string, input: unknown): Promise<unknown> {
  const envelope = await host.dispatch(method, input);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.result;
}

describe('the core host on a worker thread', () => {
  let host: CoreHostClient;
  let home: string;
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-host-home-'));
    host = await startWorkerCoreHost({ env: { ...process.env, HISTO_HOME: home } });
  });
  afterAll(async () => {
    await host?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('answers with the same envelopes as a core in this thread, errors in their serialized shape', async () => {
    const local = new HistoCore({ HISTO_HOME: home });
    try {
      for (const [method, input] of [
        ['no.such', {}],
        ['project.open', { path: '' }],
        ['slide.list', {}],
        ['project.current', {}],
      ] as const) {
        expect(await host.dispatch(method, input)).toEqual(await local.dispatch(method, input));
      }
    } finally {
      local.close();
    }
    expect(await host.dispatch('slide.list', {})).toMatchObject({ ok: false, error: { code: 'NO_PROJECT' } });

    // An error with the CLI's own wording keeps it across the thread boundary.
    const dir = tempDir();
    await resultOf(host, 'project.create', { path: path.join(dir, 'p.histo') });
    await resultOf(host, 'backbone.import', { path: linearEmbedder({ inputSize: 32, dim: 8, seed: 3, dir }), name: 'lin' });
    const search = await host.dispatch('search.run', { backbone: 'lin', query: { kind: 'tile', tileId: 1 }, k: 5 });
    expect(search).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('Backbones'), cli: expect.stringContaining('histo embed') } });
    await resultOf(host, 'project.close', {});
  });

  it('serves slide images as bytes, and their errors as HistoErrors with the code', async () => {
    const dir = tempDir();
    await resultOf(host, 'project.create', { path: path.join(dir, 'images.histo') });
    const slide = await writeTwoRegionSlide(path.join(dir, 'two.tif'));
    const imported = (await resultOf(host, 'slide.import', { paths: [slide] })) as { imported: Array<{ id: number }> };
    const id = imported.imported[0]!.id;
    const thumbnail = await host.renderSlideImage(`slides/${id}/thumbnail.jpg`, new URLSearchParams());
    expect(thumbnail.contentType).toBe('image/jpeg');
    expect([...thumbnail.body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    // Twice: the core's cached Buffer must survive the first answer's transfer.
    expect((await host.renderSlideImage(`slides/${id}/thumbnail.jpg`, new URLSearchParams())).body.equals(thumbnail.body)).toBe(true);
    const crop = await host.renderSlideImage(`slides/${id}/region.jpg`, new URLSearchParams({ x: '0', y: '0', w: '64', h: '64', size: '32' }));
    expect(crop.contentType).toBe('image/jpeg');

    const failure = (p: string) => host.renderSlideImage(p, new URLSearchParams()).then(() => null, (err: unknown) => err);
    const missing = await failure('slides/77/thumbnail.jpg');
    expect(missing).toBeInstanceOf(HistoError);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'slide 77 is not in this project' });
    expect(await failure('slides/abc/thumbnail.jpg')).toMatchObject({ code: 'VALIDATION' });
    await resultOf(host, 'project.close', {});
  });

  it('forwards job progress and cancels a job on request', async () => {
    const dir = tempDir();
    await resultOf(host, 'project.create', { path: path.join(dir, 'jobs.histo') });
    await resultOf(host, 'backbone.import', { path: linearEmbedder({ inputSize: 16, dim: 8, seed: 4, dir }), name: 'lin' });
    const slide = (await writeTissueTiff(path.join(dir, 'big.tif'), { width: 3000, height: 2000 })).file;
    const events: JobEvent[] = [];
    const stop = host.onJobEvent((event) => events.push(event));
    const { jobId } = (await resultOf(host, 'embed.start', { paths: [slide], backbone: 'lin', tileSize: 16, mpp: 0.5, minTissue: 0 })) as { jobId: string };
    expect(await resultOf(host, 'job.cancel', { jobId })).toBe(true);
    let outcome: JobOutcome | null = null;
    for (let i = 0; i < 600 && outcome?.state !== 'cancelled'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = (await resultOf(host, 'job.result', { jobId })) as JobOutcome | null;
    }
    stop();
    expect(outcome).toMatchObject({ jobId, kind: 'embed', state: 'cancelled' });
    const ours = events.filter((event) => event.jobId === jobId);
    expect(ours[0]).toMatchObject({ state: 'running' });
    expect(ours.at(-1)).toMatchObject({ state: 'cancelled' });
    await resultOf(host, 'project.close', {});
  });
});

describe('the core host client', () => {
  /** A channel whose other side the test plays. */
  function scriptedChannel() {
    const sent: ShellMessage[] = [];
    let deliver: (message: CoreMessage) => void = () => undefined;
    let exit: (how: string) => void = () => undefined;
    const channel: HostChannel = {
      post: (message) => sent.push(message),
      onMessage: (listener) => (deliver = listener),
      onExit: (listener) => (exit = listener),
      terminate: () => exit('thread ended (terminated)'),
    };
    return { channel, sent, deliver: (m: CoreMessage) => deliver(m), exit: (how: string) => exit(how) };
  }

  it('matches replies to calls by id, whatever their order', async () => {
    const link = scriptedChannel();
    const client = new CoreHostClient(link.channel);
    link.deliver({ type: 'ready' });
    const first = client.dispatch('app.info', {});
    const second = client.dispatch('job.list', {});
    await new Promise((resolve) => setImmediate(resolve));
    const [a, b] = link.sent as Array<Extract<ShellMessage, { type: 'call' }>>;
    link.deliver({ type: 'reply', id: b!.id, envelope: { ok: true, result: 'second' } });
    link.deliver({ type: 'reply', id: a!.id, envelope: { ok: false, error: { code: 'BAD_INPUT', message: 'first', cli: 'first, for the CLI' } } });
    expect(await first).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'first', cli: 'first, for the CLI' } });
    expect(await second).toEqual({ ok: true, result: 'second' });
  });

  it('answers pending and later calls with INTERNAL once the core is gone, and never hangs', async () => {
    const link = scriptedChannel();
    const client = new CoreHostClient(link.channel);
    link.deliver({ type: 'ready' });
    const pending = client.dispatch('app.info', {});
    const image = client.renderSlideImage('slides/1/thumbnail.jpg', new URLSearchParams()).catch((err: unknown) => err);
    await new Promise((resolve) => setImmediate(resolve));
    link.exit('thread ended (exit code 1)');
    expect(await pending).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'the core is not running: its thread ended (exit code 1)' } });
    expect(await image).toMatchObject({ code: 'INTERNAL' });
    expect(await client.dispatch('app.info', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    await client.close();
  });

  it('runs the core in a process that speaks through process.parentPort, as an Electron utility process does', async () => {
    // Electron is not installed here: a Node child with an IPC channel plays `process.parentPort`,
    // cloning messages with the same structured clone, and loads the very worker script the app forks.
    const shim = `process.parentPort = { on: (e, l) => process.on(e, (data) => l({ data })), postMessage: (m) => process.send(m) }; require(${JSON.stringify(workerScript('core-host'))});`;
    const child = spawn(process.execPath, ['-e', shim], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', env: { ...process.env, HISTO_HOME: tempDir() } });
    const client = await CoreHostClient.start({
      post: (message) => child.send(message),
      onMessage: (listener) => child.on('message', (message) => listener(message as CoreMessage)),
      onExit: (listener) => child.once('exit', (code) => listener(`process ended (exit code ${code})`)),
      terminate: () => void child.kill(),
    });
    const dir = tempDir();
    await resultOf(client, 'project.create', { path: path.join(dir, 'utility.histo') });
    const slide = await writeTwoRegionSlide(path.join(dir, 'two.tif'));
    const imported = (await resultOf(client, 'slide.import', { paths: [slide] })) as { imported: Array<{ id: number }> };
    const tile = await client.renderSlideImage(`slides/${imported.imported[0]!.id}/thumbnail.jpg`, new URLSearchParams());
    expect([...tile.body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(await client.dispatch('project.open', { path: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await client.close();
    await exited;
    expect(await client.dispatch('app.info', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
