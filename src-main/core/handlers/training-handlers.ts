import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import type { ProjectStore } from '../project/project-store';
import { TasksRepo, type StoredTask } from '../labels/tasks-repo';
import { LabelsRepo } from '../labels/labels-repo';
import { TaskDetectionRepo } from '../project/repos/task-detection-repo';
import { createTask } from '../labels/create-task';
import { importLabels } from '../labels/import-labels';
import { exportLabels } from '../labels/export-labels';
import { importPatchFolder } from '../labels/import-patch-folder';
import { parseGroupBy } from '../training/load-task-dataset';
import { learningCurveInWorker, trainInWorker } from '../training/run-training';
import { listHeads, loadHead } from '../training/heads-repo';
import { exportHead } from '../heads-export/export-head';
import { resolveBackbone } from './backbone-handlers';

type TrainingMethods =
  | 'task.list'
  | 'task.create'
  | 'labels.import'
  | 'labels.export'
  | 'dataset.importFolder'
  | 'train.start'
  | 'heads.list'
  | 'head.get'
  | 'head.export';

function taskSummary(store: ProjectStore, task: StoredTask) {
  return { ...task, detection: new TaskDetectionRepo(store.db).isDetection(task.id), labels: new LabelsRepo(store.db).counts(task.id) };
}

export function trainingHandlers(core: HistoCore): Pick<Handlers, TrainingMethods> {
  const tasks = () => new TasksRepo(core.requireProject().db);
  return {
    'task.list': () => tasks().list().map((t) => taskSummary(core.requireProject(), t)),
    'task.create': ({ name, classes, detection }) => taskSummary(core.requireProject(), createTask(core.requireProject(), name, classes, detection)),
    'labels.import': ({ task, path, slide, author }) => importLabels(core.requireProject(), tasks().require(task), path, { slide, author: author ?? null }),
    'labels.export': ({ task, out, slide }) => exportLabels(core.requireProject(), tasks().require(task), out, { slide }),
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
    'heads.list': () => listHeads(core.requireProject()),
    'head.get': ({ id }) => {
      const { listing, summary } = loadHead(core.requireProject(), id);
      return { listing, summary };
    },
    'head.export': ({ id, out, withBackbone }) => {
      const result = exportHead(core.requireProject(), id, out, withBackbone);
      return { file: result.file, withBackbone: result.withBackbone };
    },
  };
}
