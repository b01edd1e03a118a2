// Trains heads, draws learning curves and compares backbones off the main thread, on its own
// connection to the project (WAL lets it write while the main thread keeps serving reads).
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '../jobs/run-in-worker';
import type { JobContext } from '../jobs/job-registry';
import { serializeError } from '../errors';
import { ProjectStore } from '../project/project-store';
import { taskLearningCurve, trainTask, type TrainRequest } from '../training/train-task';
import { compareBackbones, type CompareRequest } from '../compare/compare-backbones';

export type TrainingWork =
  | { kind: 'train'; projectPath: string; request: TrainRequest }
  | { kind: 'curve'; projectPath: string; request: Parameters<typeof taskLearningCurve>[1] }
  | { kind: 'compare'; projectPath: string; request: CompareRequest };

const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const work = workerData as TrainingWork;
const ctx: JobContext = {
  jobId: 'worker',
  signal: new AbortController().signal,
  progress: (done, total, message) => post({ type: 'progress', done, total, message }),
  throwIfCancelled: () => undefined,
};

async function run(store: ProjectStore): Promise<unknown> {
  switch (work.kind) {
    case 'train':
      return trainTask(store, work.request, ctx);
    case 'curve':
      return taskLearningCurve(store, work.request);
    case 'compare':
      return compareBackbones(store, work.request, ctx);
  }
}

void (async () => {
  let store: ProjectStore | undefined;
  try {
    store = ProjectStore.open(work.projectPath);
    post({ type: 'result', value: await run(store) });
  } catch (err) {
    post({ type: 'error', ...serializeError(err) });
  } finally {
    store?.close();
  }
})();
