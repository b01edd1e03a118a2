import { utilityProcess } from 'electron';
import { workerScript } from '../core/app-root';
import { CoreHostClient } from '../core/host/core-host-client';
import type { CoreMessage } from '../core/host/host-protocol';

/**
 * The core host in an Electron utility process: the same worker script and protocol as under Node
 * (core/host), carried by the child's message port. Only the adapter lives here, because only the
 * shell may import electron. Call it once the app is ready.
 */
export function startUtilityCoreHost(): CoreHostClient {
  const child = utilityProcess.fork(workerScript('core-host'), [], { serviceName: 'Histo Workstation core', stdio: 'inherit' });
  return new CoreHostClient({
    // Electron clones messages and moves only message ports: image buffers are copied, never transferred.
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: CoreMessage) => listener(message)),
    onExit: (listener) => child.once('exit', (code) => listener(`process ended (exit code ${code})`)),
    terminate: () => void child.kill(),
  });
}
