// Trains heads and draws learning curves off the main thread, on its own connection to the
// project (WAL lets it write the head while the main thread keeps serving reads).
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '../jobs/run-in-worker';
import type { JobContext } from '../jobs/job-registry';
import { serializeError } from '../errors';
import { ProjectStore } from '../project/project-store';
import { taskLearningCurve, trainTask, type TrainRequest } from '../training/train-task';

export type TrainingWork =
  | { kind: 'train'; projectPath: string; request: TrainRequest }
  | { kind: 'curve'; projectPath: string; request: Parameters<typeof taskLearningCurve>[1] };

const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const work = workerData as TrainingWork;
const ctx: JobContext = {
  jobId: 'worker',
  signal: new AbortController().signal,
  progress: (done, total, message) => post({ type: 'progress', done, total, message }),
  throwIfCancelled: () => undefined,
};

let store: ProjectStore | undefined;
try {
  store = ProjectStore.open(work.projectPath);
  const value = work.kind === 'train' ? trainTask(store, work.request, ctx) : taskLearningCurve(store, work.request);
  post({ type: 'result', value });
} catch (err) {
  const { code, message } = serializeError(err);
  post({ type: 'error', code, message });
} finally {
  store?.close();
}
