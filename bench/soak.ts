// npm run soak: SOAK_MINUTES (default 30) of random operations through `histo serve` (imports,
// embeds, trains, predicts, reviews, exports, cancels) with random kills of the server and of its
// child processes, then every invariant of the project checked. Prints what it did; exits 1 when
// an invariant fails. A small linear ONNX backbone built in code keeps each operation fast.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeTestSlide, writeTwoRegionSlide } from '../test/helpers/embedding-fixtures';
import { linearEmbedder } from '../test/helpers/onnx-models';
import { call, childPids, histoBin, residentBytes, startServer, stopServer, type SoakServer } from './soak/soak-server';
import { checkProjectInvariants, checkRssGrowth } from './soak/soak-invariants';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
if (!(minutes > 0)) throw new Error(`SOAK_MINUTES must be a positive number, not ${process.env.SOAK_MINUTES}`);
let seed = Number(process.env.SOAK_SEED ?? Date.now() % 100_000);
const firstSeed = seed;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cli(args: string[]): string {
  const result = spawnSync(process.execPath, [histoBin(), ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`histo ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-soak-'));
const project = path.join(dir, 'soak.histo');
const tiling = { tileSize: 32, mpp: 0.5, minTissue: 0 };

async function setUp(): Promise<{ slides: string[]; model: string }> {
  cli(['project', 'create', project]);
  const model = linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir });
  cli(['backbone', 'import', model, '--project', project, '--name', 'lin']);
  const labelled = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
  const slides = [labelled];
  for (const [i, size] of [[0, 1024], [1, 768], [2, 1536]] as const) slides.push(await writeTestSlide(dir, `slide-${i}.tif`, { width: size, height: 512 }));
  cli(['embed', labelled, '--project', project, '--backbone', 'lin', '--size', '32', '--mpp', '0.5', '--min-tissue', '0']);
  cli(['task', 'create', 'tumour', '--classes', 'stroma,tumour', '--project', project]);
  const rows = ['source,x,y,label', ...[0, 32, 64, 96, 0, 64].map((x, i) => `${labelled},${x},${i < 4 ? 0 : 128},tumour`), ...[352, 384, 416, 448, 384, 448].map((x, i) => `${labelled},${x},${i < 4 ? 0 : 128},stroma`)];
  fs.writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n') + '\n');
  cli(['labels', 'import', path.join(dir, 'labels.csv'), '--project', project, '--task', 'tumour']);
  return { slides, model };
}

type Outcome = 'ok' | 'failed' | 'cancelled' | 'interrupted';
const tally = new Map<string, Record<Outcome, number>>();
const completed = new Map<string, number>();
const failures: string[] = [];
function record(operation: string, outcome: Outcome, auditAction?: string, message?: string): void {
  const row = tally.get(operation) ?? { ok: 0, failed: 0, cancelled: 0, interrupted: 0 };
  row[outcome] += 1;
  tally.set(operation, row);
  if (outcome === 'ok' && auditAction) completed.set(auditAction, (completed.get(auditAction) ?? 0) + 1);
  if (outcome === 'failed' && message && failures.length < 20) failures.push(`${operation}: ${message}`);
}

let server: SoakServer;
const incarnations: number[][] = [];
let peakRss = 0;
let serverKills = 0;
let childKills = 0;
const heads: number[] = [];

async function restart(): Promise<void> {
  server = await startServer(project);
  incarnations.push([]);
}

/** Polls a job to its end; a killed server ends it as interrupted. */
async function finish(jobId: string, cancelAfterMs: number | null): Promise<{ outcome: Outcome; result?: unknown; message?: string }> {
  const started = Date.now();
  let cancelled = false;
  for (;;) {
    if (cancelAfterMs !== null && !cancelled && Date.now() - started > cancelAfterMs) {
      cancelled = true;
      await call(server, 'job.cancel', { jobId });
    }
    const polled = await call<{ state: string; result: unknown; error: { message: string } | null } | null>(server, 'job.result', { jobId });
    if (!polled.ok) return { outcome: 'interrupted' };
    const state = polled.result?.state;
    if (state === 'done') return { outcome: 'ok', result: polled.result!.result };
    if (state === 'cancelled') return { outcome: 'cancelled' };
    if (state === 'failed') return { outcome: 'failed', message: polled.result!.error?.message };
    if (!polled.result) return { outcome: 'interrupted' };
    await sleep(50);
  }
}

async function runJob(operation: string, audit: string, method: string, body: unknown, cancelAfterMs: number | null = null): Promise<unknown> {
  const started = await call<{ jobId: string }>(server, method, body);
  if (!started.ok) return record(operation, started.error?.code === 'TRANSPORT' ? 'interrupted' : 'failed', audit, started.error?.message);
  const end = await finish(started.result.jobId, cancelAfterMs);
  record(cancelAfterMs !== null && end.outcome === 'ok' ? `${operation} (cancel too late)` : operation, end.outcome, audit, end.message);
  return end.result;
}

async function simple(operation: string, audit: string | undefined, method: string, body: unknown): Promise<unknown> {
  const answer = await call(server, method, body);
  record(operation, answer.ok ? 'ok' : answer.error?.code === 'TRANSPORT' ? 'interrupted' : 'failed', audit, answer.error?.message);
  return answer.ok ? answer.result : undefined;
}

async function main(): Promise<void> {
  const { slides, model } = await setUp();
  await restart();
  let imports = 0;
  let exports = 0;
  const operations: Array<[number, () => Promise<unknown>]> = [
    [2, () => simple('import slides', 'slides.import', 'slides.import', { paths: [pick(slides)] })],
    [1, () => simple('import backbone', 'backbone.import', 'backbone.import', { path: model, name: `lin-${++imports}` })],
    [4, () => runJob('embed', 'embed', 'embed.start', { paths: [pick(slides)], backbone: 'lin', ...tiling, batchSize: 8 })],
    [2, async () => {
      const result = (await runJob('train', 'train', 'train.start', { task: 'tumour', backbone: 'lin', kind: 'logreg', folds: 2, group: 'none' })) as { headId?: number } | undefined;
      if (result?.headId) heads.push(result.headId);
    }],
    [3, () => (heads.length ? runJob('predict', 'predict', 'predict.start', { head: pick(heads), paths: [pick(slides)] }) : Promise.resolve())],
    [2, async () => {
      if (!heads.length) return;
      const head = pick(heads);
      const queue = (await simple('review queue', undefined, 'review.queue', { head, mode: 'uncertain', limit: 5 })) as Array<{ tileId: number }> | undefined;
      const item = queue?.[0];
      if (item) await simple('review decide', 'review', 'review.decide', { head, tileId: item.tileId, decision: pick(['accept', 'reject'] as const) });
    }],
    [2, () => (heads.length ? simple('export', 'predict.export', 'predict.export', { head: pick(heads), csv: path.join(dir, `export-${++exports % 5}.csv`) }) : Promise.resolve())],
    [2, () => runJob('cancel embed', 'embed', 'embed.start', { paths: [pick(slides)], backbone: 'lin', ...tiling, views: 'd4', batchSize: 4 }, 50 + random() * 400)],
  ];
  const totalWeight = operations.reduce((n, [w]) => n + w, 0);
  const chooseOperation = () => {
    let r = random() * totalWeight;
    for (const [w, op] of operations) if ((r -= w) < 0) return op;
    return operations[0]![1];
  };

  const sampler = setInterval(() => {
    const rss = residentBytes(server.pid);
    if (rss === null) return;
    incarnations.at(-1)!.push(rss);
    peakRss = Math.max(peakRss, rss);
  }, 1000);

  const deadline = Date.now() + minutes * 60_000;
  // Kills come at random moments, whatever is running: calls in flight end as interrupted.
  let restarting: Promise<void> = Promise.resolve();
  const killer = (async () => {
    for (;;) {
      await sleep(8_000 + random() * 25_000);
      if (Date.now() >= deadline) return;
      // Prefer a child process (an import's model check) when one shows up within two seconds.
      let children: number[] = [];
      for (let i = 0; i < 40 && !children.length; i++) {
        children = childPids(server.pid);
        if (!children.length) await sleep(50);
      }
      if (children.length && random() < 0.5) {
        for (const pid of children) process.kill(pid, 'SIGKILL');
        childKills += children.length;
        continue;
      }
      serverKills += 1;
      restarting = stopServer(server, 'SIGKILL').then(restart);
      await restarting;
    }
  })();
  let operationsDone = 0;
  while (Date.now() < deadline) {
    await restarting;
    await Promise.all([chooseOperation()(), random() < 0.3 ? chooseOperation()() : undefined]);
    operationsDone += 1;
  }
  await killer;
  await restarting;
  clearInterval(sampler);

  // Resume after all the kills: one last embed of every slide must complete each one exactly once.
  const final = (await runJob('final embed', 'embed', 'embed.start', { paths: slides, backbone: 'lin', ...tiling, batchSize: 32 })) as { tiles: number } | undefined;
  await stopServer(server, 'SIGTERM');

  const invariants = [...checkProjectInvariants(project, completed, { backbone: 'lin', rows: final?.tiles ?? -1 }), checkRssGrowth(incarnations)];
  const MB = 1024 * 1024;
  console.log(`soak: ${minutes} min, seed ${firstSeed}, project ${project}`);
  console.log(`operations: ${operationsDone} rounds`);
  for (const [operation, row] of [...tally].sort()) console.log(`  ${operation.padEnd(26)} ok ${row.ok}  failed ${row.failed}  cancelled ${row.cancelled}  interrupted ${row.interrupted}`);
  console.log(`kills: ${serverKills} of the server (SIGKILL), ${childKills} of its child processes`);
  console.log(`peak RSS of the server: ${(peakRss / MB).toFixed(0)} MB`);
  if (failures.length) console.log(`failed operations (first ${failures.length}):\n  ${failures.join('\n  ')}`);
  console.log('invariants:');
  for (const inv of invariants) console.log(`  ${inv.ok ? 'ok  ' : 'FAIL'} ${inv.name}: ${inv.detail}`);
  const broken = invariants.filter((i) => !i.ok).length;
  console.log(broken ? `${broken} of ${invariants.length} invariants FAILED` : `all ${invariants.length} invariants hold`);
  if (broken) process.exitCode = 1;
  else fs.rmSync(dir, { recursive: true, force: true });
}

main().catch(async (err: unknown) => {
  console.error(err);
  if (server) await stopServer(server, 'SIGKILL');
  process.exitCode = 1;
});
