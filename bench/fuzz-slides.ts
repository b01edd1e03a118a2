/**
 * Slide-reader fuzzer. Mutates generated fixtures and the real CMU-1-Small-Region.svs with seeded
 * mutations and runs the oracle of test/reliability/fuzz/oracle.ts on each case in worker
 * processes, so a native crash or a hang (> --case-ms) is caught and blamed on its case.
 *
 *   node scripts/run-ts.mjs bench/fuzz-slides.ts [--cases N] [--seed S] [--workers W] [--case-ms 2000]
 *        [--save DIR] [--json]
 *   FUZZ_CASES=200000 node scripts/run-ts.mjs bench/fuzz-slides.ts --save test/fixtures/fuzz-regressions
 *
 * Each finding is minimised (mutations dropped one by one while it still reproduces) and, with
 * --save, written as a regression fixture (small files only) plus an entry in DIR/findings.json.
 * Exit code: 0 no findings, 1 findings, 2 usage or harness error.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mixSeed, seededRandom } from '../src-main/core/backbones/seeded-random';
import { buildFuzzFixtures, type FuzzFixture } from '../test/reliability/fuzz/fuzz-fixtures';
import { applyMutations, drawMutations, mapTiff, type MutationOp, type TiffMap } from '../test/reliability/fuzz/mutate';
import { checkSlideFile, type Outcome } from '../test/reliability/fuzz/oracle';

interface Config {
  seed: number;
  fixtures: FuzzFixture[];
  scratchDir: string;
  rssLimit: number;
}

type ToWorker = { type: 'cases'; ids: number[] } | { type: 'check'; fixture: number; ops: MutationOp[]; deep: boolean };
type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; outcome: Outcome; ms: number; rss: number }
  | { type: 'checked'; outcome: Outcome; ms: number };

/** The fixture and mutations of case `id`: the same on every process. */
function caseOf(config: Config, maps: TiffMap[], sizes: number[], id: number): { fixture: number; ops: MutationOp[]; deep: boolean } {
  const rand = seededRandom(mixSeed(config.seed, id, 0xf1));
  const total = config.fixtures.reduce((s, f) => s + f.weight, 0);
  let pick = rand() * total;
  let fixture = 0;
  for (; fixture < config.fixtures.length - 1; fixture++) {
    pick -= config.fixtures[fixture]!.weight;
    if (pick < 0) break;
  }
  // One case in eight reads every level and a coarse overview; the rest open, read two small regions and the associated images.
  const deep = rand() < 0.125;
  return { fixture, ops: drawMutations(sizes[fixture]!, maps[fixture]!, mixSeed(config.seed, id)), deep };
}

// ---------------------------------------------------------------- worker process

async function workerMain(config: Config): Promise<void> {
  const bases = config.fixtures.map((f) => new Uint8Array(fs.readFileSync(f.file)));
  const maps = bases.map(mapTiff);
  const sizes = bases.map((b) => b.length);
  const scratch = { buf: new Uint8Array(Math.max(...sizes)) };
  const dir = fs.mkdtempSync(path.join(config.scratchDir, `w${process.pid}-`));
  const run = async (fixture: number, ops: MutationOp[], deep: boolean): Promise<{ outcome: Outcome; ms: number }> => {
    const data = applyMutations(bases[fixture]!, ops, scratch);
    const { name, part } = config.fixtures[fixture]!;
    let file = path.join(dir, `case-${name}`);
    if (part) {
      // A slide of several files: a private copy of its folder, with this case's bytes in one file.
      const copy = path.join(dir, `case-${name}-folder`);
      if (!fs.existsSync(copy)) fs.cpSync(part.folder, copy, { recursive: true });
      fs.writeFileSync(path.join(copy, part.file), data);
      file = path.join(copy, part.open);
    } else {
      fs.writeFileSync(file, data);
    }
    const started = performance.now();
    const outcome = await checkSlideFile(file, { deep });
    return { outcome, ms: performance.now() - started };
  };
  const send = (msg: FromWorker): void => {
    process.send!(msg);
  };
  process.on('message', (msg: ToWorker) => {
    void (async () => {
      if (msg.type === 'check') {
        const { outcome, ms } = await run(msg.fixture, msg.ops, msg.deep);
        send({ type: 'checked', outcome, ms });
        return;
      }
      for (const id of msg.ids) {
        const c = caseOf(config, maps, sizes, id);
        const { outcome, ms } = await run(c.fixture, c.ops, c.deep);
        const rss = process.memoryUsage.rss();
        const result: Outcome = rss > config.rssLimit && outcome.ok ? { ok: false, signature: 'memory: RSS over the limit', message: `RSS ${Math.round(rss / 2 ** 20)} MiB after the case` } : outcome;
        send({ type: 'done', id, outcome: result, ms, rss });
        if (rss > config.rssLimit) process.exit(0);
      }
    })();
  });
  send({ type: 'ready' });
}

// ---------------------------------------------------------------- supervisor

interface Finding {
  signature: string;
  message: string;
  kind: 'error' | 'hang' | 'crash' | 'memory';
  caseId: number;
  fixture: string;
  ops: MutationOp[];
  deep: boolean;
  ms?: number;
  saved?: string;
}

class WorkerHandle {
  readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private onMessage: ((msg: FromWorker) => void) | null = null;
  exited = false;
  exitInfo = '';

  constructor(script: string, config: Config) {
    this.child = fork(script, ['--worker'], {
      // Tiles decode inline (HISTO_DECODE_THREADS=0) unless the caller says otherwise: the same decoders, far less overhead per case.
      env: { HISTO_DECODE_THREADS: '0', ...process.env, HISTO_FUZZ_CONFIG: JSON.stringify(config) },
      execArgv: ['--max-old-space-size=512'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    this.child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    this.ready = new Promise((resolve, reject) => {
      this.child.once('message', () => resolve());
      this.child.once('exit', (code, signal) => reject(new Error(`fuzz worker exited before it was ready (${code ?? signal}): ${stderr}`)));
    });
    this.child.on('message', (msg: FromWorker) => this.onMessage?.(msg));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitInfo = `exit ${code ?? ''}${signal ? `signal ${signal}` : ''}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
      this.onMessage?.({ type: 'done', id: -1, outcome: { ok: false, signature: 'crash', message: this.exitInfo }, ms: 0, rss: 0 });
    });
  }

  waitReady(): Promise<void> {
    return this.ready;
  }

  listen(fn: ((msg: FromWorker) => void) | null): void {
    this.onMessage = fn;
  }

  send(msg: ToWorker): void {
    this.child.send(msg);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Runs one explicit case in a fresh worker: the verdict, or a hang / crash. */
async function checkInFreshWorker(script: string, config: Config, fixture: number, ops: MutationOp[], deep: boolean, caseMs: number): Promise<{ outcome: Outcome; kind: Finding['kind'] | null; ms: number }> {
  const worker = new WorkerHandle(script, config);
  try {
    await worker.waitReady();
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ outcome: { ok: false, signature: 'hang', message: `no answer within ${caseMs} ms` }, kind: 'hang', ms: caseMs }), caseMs);
      worker.listen((msg) => {
        clearTimeout(timer);
        if (msg.type === 'checked') resolve({ outcome: msg.outcome, kind: msg.outcome.ok ? (msg.ms > caseMs ? 'hang' : null) : 'error', ms: msg.ms });
        else if (msg.type === 'done' && msg.id === -1) resolve({ outcome: msg.outcome, kind: 'crash', ms: 0 });
      });
      worker.send({ type: 'check', fixture, ops, deep });
    });
  } finally {
    worker.listen(null);
    worker.kill();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'case-ms': { type: 'string' },
      save: { type: 'string' },
      json: { type: 'boolean' },
      worker: { type: 'boolean' },
    },
  });
  if (values.worker) {
    await workerMain(JSON.parse(process.env.HISTO_FUZZ_CONFIG!) as Config);
    return -1;
  }
  const cases = Number(values.cases ?? process.env.FUZZ_CASES ?? 2000);
  const seed = Number(values.seed ?? process.env.FUZZ_SEED ?? 1);
  const workers = Number(values.workers ?? Math.max(1, Math.min(os.availableParallelism(), 4)));
  const caseMs = Number(values['case-ms'] ?? 2000);
  if (![cases, seed, workers, caseMs].every((n) => Number.isInteger(n) && n >= 0) || workers < 1) {
    console.error('fuzz-slides: --cases, --seed, --workers and --case-ms take whole numbers');
    return 2;
  }
  const repoRoot = process.cwd();
  const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const scratchDir = fs.mkdtempSync(path.join(shm, 'histo-fuzz-'));
  const script = process.argv[1]!;
  const started = performance.now();
  try {
    const fixtures = await buildFuzzFixtures(path.join(scratchDir, 'corpus'), repoRoot);
    const config: Config = { seed, fixtures, scratchDir, rssLimit: 1536 * 2 ** 20 };
    const bases = fixtures.map((f) => new Uint8Array(fs.readFileSync(f.file)));
    const maps = bases.map(mapTiff);
    const sizes = bases.map((b) => b.length);

    const findings = new Map<string, Finding>();
    const slowNotReproduced: number[] = [];
    let done = 0;
    let rejected = 0;
    let next = 0;
    const retry: number[] = [];
    const take = (): number | undefined => (retry.length > 0 ? retry.shift() : next < cases ? next++ : undefined);
    const remaining = (): boolean => retry.length > 0 || next < cases;
    const BATCH = 20;
    const suspects: Array<{ id: number; kind: 'hang' | 'crash'; message: string; ms: number }> = [];
    const errors: Array<{ id: number; outcome: Extract<Outcome, { ok: false }> }> = [];

    const lane = async (): Promise<void> => {
      while (remaining()) {
        const worker = new WorkerHandle(script, config);
        await worker.waitReady();
        await new Promise<void>((resolve) => {
          let batch: number[] = [];
          let timer: NodeJS.Timeout | undefined;
          const arm = (): void => {
            clearTimeout(timer);
            timer = setTimeout(() => {
              // The first unanswered case of the batch hung: blame it, restart after it.
              const id = batch[0]!;
              suspects.push({ id, kind: 'hang', message: `no answer within ${caseMs} ms`, ms: caseMs });
              done++;
              retry.push(...batch.slice(1));
              finish();
            }, caseMs);
          };
          const finish = (): void => {
            clearTimeout(timer);
            worker.listen(null);
            worker.kill();
            resolve();
          };
          const feed = (): void => {
            if (!remaining()) return finish();
            batch = [];
            for (let id = take(); id !== undefined; id = batch.length < BATCH ? take() : undefined) batch.push(id);
            worker.send({ type: 'cases', ids: batch });
            arm();
          };
          worker.listen((msg) => {
            if (msg.type !== 'done') return;
            if (msg.id === -1) {
              // The worker died: blame the case it was on (unless it left on purpose over the RSS limit).
              if (batch.length > 0) {
                suspects.push({ id: batch[0]!, kind: 'crash', message: msg.outcome.ok ? '' : msg.outcome.message, ms: 0 });
                done++;
                retry.push(...batch.slice(1));
              }
              return finish();
            }
            batch.shift();
            done++;
            if (!msg.outcome.ok) {
              if (msg.outcome.signature.startsWith('memory')) findings.set(`memory`, { signature: msg.outcome.signature, message: msg.outcome.message, kind: 'memory', caseId: msg.id, fixture: '', ops: [], deep: false });
              else errors.push({ id: msg.id, outcome: msg.outcome });
            } else if (msg.outcome.rejected) rejected++;
            if (msg.ms > caseMs) suspects.push({ id: msg.id, kind: 'hang', message: `took ${Math.round(msg.ms)} ms`, ms: msg.ms });
            if (batch.length === 0) feed();
            else arm();
          });
          feed();
        });
      }
    };
    await Promise.all(Array.from({ length: workers }, lane));
    const fuzzSeconds = (performance.now() - started) / 1000;

    // Findings: group errors by signature, confirm hangs and crashes in a fresh worker, minimise.
    for (const { id, outcome } of errors) {
      if (findings.has(outcome.signature)) continue;
      const c = caseOf(config, maps, sizes, id);
      findings.set(outcome.signature, { signature: outcome.signature, message: outcome.message, kind: 'error', caseId: id, fixture: fixtures[c.fixture]!.name, ops: c.ops, deep: c.deep });
    }
    for (const s of suspects) {
      const c = caseOf(config, maps, sizes, s.id);
      const again = await checkInFreshWorker(script, config, c.fixture, c.ops, c.deep, caseMs);
      if (again.kind === null) {
        slowNotReproduced.push(s.id);
        continue;
      }
      const signature = again.kind === 'error' && !again.outcome.ok ? again.outcome.signature : `${again.kind} on ${fixtures[c.fixture]!.name}`;
      if (!findings.has(signature)) findings.set(signature, { signature, message: again.outcome.ok ? `took ${Math.round(again.ms)} ms` : again.outcome.message, kind: again.kind, caseId: s.id, fixture: fixtures[c.fixture]!.name, ops: c.ops, deep: c.deep, ms: again.ms });
    }
    for (const finding of findings.values()) {
      const fixture = fixtures.findIndex((f) => f.name === finding.fixture);
      if (fixture < 0) continue;
      let ops = finding.ops;
      for (let i = ops.length - 1; i >= 0 && ops.length > 1; i--) {
        const fewer = ops.filter((_, k) => k !== i);
        const r = await checkInFreshWorker(script, config, fixture, fewer, finding.deep, caseMs);
        const same = finding.kind === 'error' ? !r.outcome.ok && r.outcome.signature === finding.signature : r.kind === finding.kind;
        if (same) ops = fewer;
      }
      finding.ops = ops;
      // Slides of several files are not saved as single-file regression fixtures.
      if (values.save && !fixtures[fixture]!.part) {
        const data = applyMutations(bases[fixture]!, ops);
        if (data.length <= 512 * 1024) {
          fs.mkdirSync(values.save, { recursive: true });
          const name = `${finding.fixture.replace(/\.[^.]+$/, '')}-${createHash('sha256').update(data).digest('hex').slice(0, 10)}${path.extname(finding.fixture)}`;
          fs.writeFileSync(path.join(values.save, name), data);
          finding.saved = name;
        }
      }
    }
    if (values.save && findings.size > 0) {
      const manifest = path.join(values.save, 'findings.json');
      const previous = fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as unknown[]) : [];
      const added = [...findings.values()].map((f) => ({ file: f.saved ?? null, kind: f.kind, signature: f.signature, message: f.message.split('\n')[0], seed, caseId: f.caseId, fixture: f.fixture, deep: f.deep, ops: f.ops }));
      fs.writeFileSync(manifest, JSON.stringify([...previous, ...added], null, 2) + '\n');
    }

    const summary = {
      cases: done,
      seconds: +fuzzSeconds.toFixed(2),
      casesPerSecond: Math.round(done / fuzzSeconds),
      rejected,
      worked: done - rejected - errors.length - suspects.length,
      workers,
      seed,
      fixtures: fixtures.map((f) => f.name),
      slowNotReproduced: slowNotReproduced.length,
      findings: [...findings.values()].map((f) => ({ kind: f.kind, signature: f.signature, message: f.message, fixture: f.fixture, caseId: f.caseId, ops: f.ops, saved: f.saved ?? null })),
    };
    console.error(`fuzz-slides: ${summary.cases} cases in ${summary.seconds} s (${summary.casesPerSecond}/s, ${workers} workers, seed ${seed}): ${summary.worked} opened and read, ${summary.rejected} rejected with a HistoError, ${findings.size} findings`);
    for (const f of summary.findings) console.error(`  finding [${f.kind}] ${f.signature}\n    case ${f.caseId} on ${f.fixture}, ops ${JSON.stringify(f.ops)}${f.saved ? `\n    saved as ${f.saved}` : ''}\n    ${f.message.split('\n').join('\n    ')}`);
    if (values.json) console.log(JSON.stringify(summary));
    return findings.size > 0 ? 1 : 0;
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(`fuzz-slides: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(2);
  },
);
