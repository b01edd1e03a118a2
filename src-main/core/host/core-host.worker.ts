// The core host's entry, for both transports: a worker thread (`histo serve`, tests) posts through
// worker_threads' parentPort, an Electron utility process through `process.parentPort`.
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../errors';
import { HistoCore } from '../histo-core';
import { serveCore } from './core-host-service';
import { lowerCorePriority } from './core-priority';
import type { CoreMessage, HostPort, ShellMessage } from './host-protocol';
import type { CoreHostWorkerData } from './worker-core-host';

/** The parts of Electron's `process.parentPort` in a utility process (structural: no electron import here). */
interface UtilityParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function threadPort(): HostPort<CoreMessage, ShellMessage> | null {
  if (!parentPort) return null;
  const port = parentPort;
  return { post: (message, transfer) => port.postMessage(message, transfer), onMessage: (listener) => port.on('message', listener) };
}

function utilityPort(): HostPort<CoreMessage, ShellMessage> | null {
  const port = (process as { parentPort?: UtilityParentPort }).parentPort;
  if (!port) return null;
  // Electron clones utility-process messages; it moves only message ports, so buffers are copied.
  return { post: (message) => port.postMessage(message), onMessage: (listener) => port.on('message', (event) => listener(event.data as ShellMessage)) };
}

const port = threadPort() ?? utilityPort();
if (!port) throw new Error('core-host.worker: start it as a worker thread or an Electron utility process');
// Before the core starts its own threads, so that they inherit it.
lowerCorePriority(!parentPort);
const env = (workerData as CoreHostWorkerData | null)?.env ?? process.env;
let core: HistoCore;
try {
  core = new HistoCore(env);
} catch (err) {
  port.post({ type: 'start-failed', error: serializeError(err) });
  throw err;
}
serveCore(core, port);
