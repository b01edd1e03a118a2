import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { SerializedError } from '../../../src-shared/contract';
import { workerScript } from '../app-root';
import { HistoError } from '../errors';
import type { BackboneSpec } from './backbone-spec';
import type { InspectedBackbone } from './inspect-backbone';
import type { SessionOptions } from './onnx-session';

export interface IsolatedInspectRequest {
  file: string;
  overrides: Partial<BackboneSpec>;
  options: Pick<SessionOptions, 'provider'>;
}

export type IsolatedInspectReply = { type: 'result'; value: InspectedBackbone; peakRssBytes: number } | ({ type: 'error' } & SerializedError);

export interface InspectLimits {
  /** Loading the model and its test batch of 2 tiles must finish within this. */
  timeoutMs: number;
  /** Resident memory the child may reach; it is killed beyond it. */
  memoryBytes: number;
}

const MB = 1024 * 1024;

/**
 * Limits for one import: HISTO_IMPORT_TIMEOUT_S and HISTO_IMPORT_MEMORY_MB when set, otherwise two
 * minutes and room for three copies of the weights plus 1 GB (never under 2 GB, never over 3/4 of
 * the machine).
 */
export function inspectLimits(modelBytes: number, env: NodeJS.ProcessEnv = process.env): InspectLimits {
  const seconds = Number(env.HISTO_IMPORT_TIMEOUT_S);
  const megabytes = Number(env.HISTO_IMPORT_MEMORY_MB);
  const memoryDefault = Math.min(Math.max(2048 * MB, 3 * modelBytes + 1024 * MB), 0.75 * os.totalmem());
  return {
    timeoutMs: seconds > 0 ? seconds * 1000 : 120_000,
    memoryBytes: megabytes > 0 ? megabytes * MB : memoryDefault,
  };
}

/** Resident memory of a process from /proc (Linux); null where that is not available. */
export function residentBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * inspectBackbone in a child process that is killed when it runs past the time limit or (on
 * Linux, polled from /proc) past the memory limit, or that may crash on its own: the app stays up
 * and the user gets one line saying why the model was refused.
 */
export function inspectBackboneIsolated(
  file: string,
  overrides: Partial<BackboneSpec> = {},
  options: Pick<SessionOptions, 'provider'> = {},
  limits: InspectLimits = inspectLimits(fs.existsSync(file) ? fs.statSync(file).size : 0),
): Promise<InspectedBackbone> {
  const script = workerScript('inspect-backbone');
  if (!fs.existsSync(script)) throw new HistoError('INTERNAL', `${script}: missing; run npm run build`);
  // ELECTRON_RUN_AS_NODE makes the Electron binary behave as plain Node when the app forks it.
  const child = fork(script, [], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    execArgv: [`--max-old-space-size=${Math.max(256, Math.round(limits.memoryBytes / MB))}`],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));

  return new Promise<InspectedBackbone>((resolve, reject) => {
    let refusal: string | null = null;
    let settled = false;
    const kill = (why: string) => {
      refusal ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => kill(`${file}: refused: loading it and running a test batch of 2 tiles took more than ${limits.timeoutMs / 1000} s`),
      limits.timeoutMs,
    );
    const tooBig = `${file}: refused: loading it and running a test batch of 2 tiles needed more than ${Math.round(limits.memoryBytes / MB)} MB of memory`;
    const watch = setInterval(() => {
      const rss = child.pid === undefined ? null : residentBytes(child.pid);
      if (rss !== null && rss > limits.memoryBytes) kill(tooBig);
    }, 25);
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      fn();
    };
    child.on('message', (reply: IsolatedInspectReply) => {
      if (reply.type === 'result' && reply.peakRssBytes > limits.memoryBytes) finish(() => reject(new HistoError('BAD_INPUT', tooBig)));
      else if (reply.type === 'result') finish(() => resolve(reply.value));
      else finish(() => reject(new HistoError(reply.code, reply.message)));
    });
    child.on('error', (err) => finish(() => reject(new HistoError('INTERNAL', `${file}: cannot start the model check: ${err.message}`))));
    child.on('exit', (code, signal) =>
      finish(() => {
        if (refusal) return reject(new HistoError('BAD_INPUT', refusal));
        const outOfHeap = /heap out of memory|Allocation failed/i.test(stderr);
        const why = outOfHeap ? `ran out of memory (limit ${Math.round(limits.memoryBytes / MB)} MB)` : `check process ended abnormally (${signal ?? `exit code ${code}`})`;
        reject(new HistoError('BAD_INPUT', `${file}: refused: the model ${why} while loading or on a test batch of 2 tiles`));
      }),
    );
    child.send({ file, overrides, options } satisfies IsolatedInspectRequest);
  });
}
