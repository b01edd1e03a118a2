import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../../../src-shared/contract';
import { workerScript } from '../app-root';
import { HistoError } from '../errors';
import type { JobContext } from './job-registry';

/** Messages a core worker posts back. */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number | null; message?: string }
  | { type: 'result'; value: unknown }
  | { type: 'error'; code: ErrorCode; message: string; cli?: string };

/**
 * Runs CPU-heavy core work (training, evaluation) on a worker thread so the process that serves
 * the UI stays responsive; progress is relayed to the job and cancelling terminates the worker.
 */
export function runInWorker<T>(name: string, payload: unknown, ctx?: JobContext): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(workerScript(name), { workerData: payload });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      ctx?.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      void worker.terminate();
      settle(() => reject(new HistoError('CANCELLED', `${name} cancelled`)));
    };
    ctx?.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') ctx?.progress(message.done, message.total, message.message);
      else if (message.type === 'result') settle(() => resolve(message.value as T));
      else settle(() => reject(new HistoError(message.code, message.message, { cli: message.cli })));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new HistoError('INTERNAL', `${name} worker stopped (exit code ${code}) before it finished`))));
  });
}
