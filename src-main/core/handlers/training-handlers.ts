import type { TrainSummary } from '../../../src-shared/contract';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import type { ProjectStore } from '../project/project-store';
import { TasksRepo, type StoredTask } from '../project/repos/tasks-repo';
import { LabelsRepo } from '../project/repos/labels-repo';
import { TaskDetectionRepo } from '../project/repos/task-detection-repo';
import { createTask } from '../labels/create-task';
import { importLabels } from '../labels/import-labels';
import { exportLabels } from '../labels/export-labels';
import { importPatchFolder } from '../labels/import-patch-folder';
import { parseGroupBy } from '../training/load-task-dataset';
import { learningCurveInWorker, trainInWorker } from '../training/run-training';
import { HeadsRepo } from '../project/repos/heads-repo';
import { exportHead } from '../heads-export/export-head';
import { resolveBackbone } from '../registry/backbone-registry';

type TrainingMethods =
  | 'task.list'
  | 'task.create'
  | 'label.import'
  | 'label.export'
  | 'dataset.importFolder'
  | 'train.start'
  | 'head.list'
  | 'head.get'
  | 'head.export';

function taskSummary(store: ProjectStore, task: StoredTask) {
  return { ...task, detection: new TaskDetectionRepo(store.db).isDetection(task.id), labels: new LabelsRepo(store.db).counts(task.id) };
}

export function trainingHandlers(core: CoreContext): Pick<Handlers, TrainingMethods> {
  const tasks = () => new TasksRepo(core.requireProject().db);
  return {
    'task.list': () => tasks().list().map((t) => taskSummary(core.requireProject(), t)),
    'task.create': ({ name, classes, detection }) => taskSummary(core.requireProject(), createTask(core.requireProject(), name, classes, detection)),
    'label.import': ({ task, path, slide, author }) => importLabels(core.requireProject(), tasks().require(task), path, { slide, author: author ?? null }),
    'label.export': ({ task, out, slide }) => exportLabels(core.requireProject(), tasks().require(task), out, { slide }),
    'dataset.importFolder': ({ path, task }) => {
      const store = core.requireProject();
      return { jobId: core.jobs.start('dataset.import-folder', (ctx) => importPatchFolder(store, path, task, ctx)).jobId };
    },
    'train.start': async (request) => {
      const store = core.requireProject();
      const task = tasks().require(request.task);
      const backbone = await resolveBackbone(store, request.backbone);
      const common = { task, backbone, kind: request.kind, groupBy: parseGroupBy(request.group), augment: request.augment, preprocess: request.preprocess, copies: request.copies, syntheticWeight: request.syntheticWeight, seed: request.seed, params: request.params };
      const labelsPerClass = request.labelsPerClass;
      const { jobId } = labelsPerClass
        ? core.jobs.start('learning-curve', (ctx) => learningCurveInWorker(store, { ...common, labelsPerClass, repeats: request.repeats }, ctx))
        : core.jobs.start('train', (ctx) =>
            trainInWorker(store, { ...common, folds: request.folds, search: request.search, searchMetric: request.searchMetric, positive: request.positive }, ctx),
          );
      return { jobId };
    },
    'head.list': () => new HeadsRepo(core.requireProject().db).list(),
    'head.get': ({ id }) => {
      const { listing, summary } = new HeadsRepo(core.requireProject().db).load(id);
      // Stored as the training job's result; the dispatcher checks it against the contract's TrainSummary.
      return { listing, summary: summary as TrainSummary };
    },
    'head.export': ({ id, out, withBackbone }) => exportHead(core.requireProject(), id, out, withBackbone),
  };
}
