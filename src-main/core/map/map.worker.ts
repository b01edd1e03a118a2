// Computes a study map off the main thread, on its own connection to the project, and stores it:
// UMAP's epochs are seconds of JavaScript that must not stall the UI's requests.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '../jobs/run-in-worker';
import type { JobContext } from '../jobs/job-registry';
import { serializeError } from '../errors';
import { ProjectStore } from '../project/project-store';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { computeMap } from './compute-map';
import { MapsRepo } from '../project/repos/maps-repo';

export interface MapWork {
  projectPath: string;
  backboneId: number;
  sample?: number;
}

const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const work = workerData as MapWork;
const ctx: JobContext = {
  jobId: 'worker',
  signal: new AbortController().signal,
  progress: (done, total, message) => post({ type: 'progress', done, total, message }),
  throwIfCancelled: () => undefined,
};

void (async () => {
  let store: ProjectStore | undefined;
  try {
    store = ProjectStore.open(work.projectPath);
    const backbone = new BackbonesRepo(store.db).resolve(work.backboneId);
    const map = await computeMap(store, backbone, { sample: work.sample }, ctx);
    new MapsRepo(store.db).save(backbone.id, map);
    post({ type: 'result', value: { backbone: backbone.name, tiles: map.tileIds.length, method: map.method, seconds: map.seconds } });
  } catch (err) {
    post({ type: 'error', ...serializeError(err) });
  } finally {
    store?.close();
  }
})();
