import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import type { ProjectStore } from '../project/project-store';
import { TasksRepo, type StoredTask } from '../project/repos/tasks-repo';
import { LabelsRepo } from '../project/repos/labels-repo';
import { importLabels } from '../labels/import-labels';
import { exportLabels } from '../labels/export-labels';
import { importPatchFolder } from '../labels/import-patch-folder';
import { parseGroupBy } from '../training/load-task-dataset';
import { learningCurveInWorker, trainInWorker } from '../training/run-training';
import { HeadsRepo } from '../project/repos/heads-repo';
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
  return { ...task, labels: new LabelsRepo(store.db).counts(task.id) };
}

export function trainingHandlers(core: HistoCore): Pick<Handlers, TrainingMethods> {
  const tasks = () => new TasksRepo(core.requireProject().db);
  return {
    'task.list': () => tasks().list().map((t) => taskSummary(core.requireProject(), t)),
    'task.create': ({ name, classes }) => taskSummary(core.requireProject(), tasks().create(name, classes)),
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
    'heads.list': () => new HeadsRepo(core.requireProject().db).list(),
    'head.get': ({ id }) => {
      const { listing, summary } = new HeadsRepo(core.requireProject().db).load(id);
      return { listing, summary };
    },
    'head.export': ({ id, out, withBackbone }) => {
      const result = exportHead(core.requireProject(), id, out, withBackbone);
      return { file: result.file, withBackbone: result.withBackbone };
    },
  };
}
