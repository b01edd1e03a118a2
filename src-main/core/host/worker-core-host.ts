import { Worker } from 'node:worker_threads';
import { workerScript } from '../app-root';
import { CoreHostClient } from './core-host-client';
import type { ShellMessage } from './host-protocol';

export interface WorkerCoreHostOptions {
  /** The core's environment (HISTO_HOME and friends); the process's own when left out. */
  env?: NodeJS.ProcessEnv;
}

/** What the core-host worker script receives at start. */
export interface CoreHostWorkerData {
  env: NodeJS.ProcessEnv | null;
}

/**
 * The core host on a worker thread (`histo serve`, tests): HistoCore, its SQLite handle and its
 * jobs live there, so the thread that answers HTTP only parses, routes and writes responses.
 */
export function startWorkerCoreHost(options: WorkerCoreHostOptions = {}): Promise<CoreHostClient> {
  const client = workerCoreHost(options);
  return client.ready.then(() => client);
}

/** The same, without waiting: calls made before the core is ready wait for it. */
export function workerCoreHost(options: WorkerCoreHostOptions = {}): CoreHostClient {
  const workerData: CoreHostWorkerData = { env: options.env ?? null };
  const worker = new Worker(workerScript('core-host'), { workerData });
  return new CoreHostClient({
    post: (message: ShellMessage, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer),
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) => {
      worker.once('error', (err) => listener(`thread failed: ${err.message}`));
      worker.once('exit', (code) => listener(`thread ended (exit code ${code})`));
    },
    terminate: () => void worker.terminate(),
  });
}
