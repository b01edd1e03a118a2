import type { JobContext } from '../jobs/job-registry';
import { runInWorker } from '../jobs/run-in-worker';
import type { ProjectStore } from '../project/project-store';
import type { TrainingWork } from '../workers/training.worker';
import type { ComparisonResult, LearningCurveSummary, TrainSummary } from '../../../src-shared/contract';
import type { taskLearningCurve, TrainRequest } from './train-task';
import type { CompareRequest } from '../compare/compare-backbones';

/** Trains a head on a worker thread (see training.worker.ts); the result's type is the contract's. */
export function trainInWorker(store: ProjectStore, request: TrainRequest, ctx?: JobContext): Promise<TrainSummary> {
  const work: TrainingWork = { kind: 'train', projectPath: store.path, request };
  return runInWorker<TrainSummary>('training', work, ctx);
}

/** Draws a learning curve on a worker thread. */
export function learningCurveInWorker(store: ProjectStore, request: Parameters<typeof taskLearningCurve>[1], ctx?: JobContext): Promise<LearningCurveSummary> {
  const work: TrainingWork = { kind: 'curve', projectPath: store.path, request };
  return runInWorker('training', work, ctx);
}

/** Compares backbones on a worker thread. */
export function compareInWorker(store: ProjectStore, request: CompareRequest, ctx?: JobContext): Promise<ComparisonResult> {
  const work: TrainingWork = { kind: 'compare', projectPath: store.path, request };
  return runInWorker<ComparisonResult>('training', work, ctx);
}
