import os from 'node:os';
import type { CliCommand } from '../command';
import { UsageError } from '../cli-errors';
import { openProjectOption, projectOptionSpec } from '../project-option';
import { requiredStringOption } from '../option-values';
import { reportProgress } from '../progress-reporter';
import { createTask } from '../../core/labels/create-task';
import { TasksRepo } from '../../core/labels/tasks-repo';
import { LabelsRepo } from '../../core/labels/labels-repo';
import { importLabels } from '../../core/labels/import-labels';
import { exportLabels } from '../../core/labels/export-labels';
import { importPatchFolder } from '../../core/labels/import-patch-folder';
import { extractEmbeddings } from '../../core/extraction/extract-embeddings';
import { resolveBackbone } from '../../core/handlers/backbone-handlers';
import { ViewMode } from '../../../src-shared/contract';

const taskOption = { task: { type: 'string' } } as const;

export const taskCreateCommand: CliCommand = {
  path: ['task', 'create'],
  summary: 'Create a classification task with its classes',
  usage: 'NAME --classes a,b,c [--detection] --project DB [--json]',
  positionals: 1,
  options: { ...projectOptionSpec, classes: { type: 'string' }, detection: { type: 'boolean' } },
  async run(ctx) {
    const store = await openProjectOption(ctx);
    const classes = requiredStringOption(ctx, 'classes').split(',').map((c) => c.trim()).filter(Boolean);
    const task = createTask(store, ctx.positionals[0]!, classes, ctx.options.detection === true);
    if (ctx.json) return ctx.out(JSON.stringify(task));
    ctx.out(`Created task ${task.id} '${task.name}' with classes ${task.classes.join(', ')}`);
  },
};

export const taskListCommand: CliCommand = {
  path: ['task', 'list'],
  summary: 'List tasks with their label counts per class and per slide',
  usage: '--project DB [--json]',
  positionals: 0,
  options: projectOptionSpec,
  async run(ctx) {
    const store = await openProjectOption(ctx);
    const labels = new LabelsRepo(store.db);
    const tasks = new TasksRepo(store.db).list().map((t) => ({ ...t, labels: labels.counts(t.id) }));
    if (ctx.json) return ctx.out(JSON.stringify(tasks));
    ctx.out(
      tasks.map((t) => `${t.id}  ${t.name}: ${t.classes.map((c) => `${c} ${t.labels.perClass[c] ?? 0}`).join(', ')} (${t.labels.perSlide.length} slides)`).join('\n') ||
        'No tasks.',
    );
  },
};

export const labelsImportCommand: CliCommand = {
  path: ['labels', 'import'],
  summary: 'Import labels from CSV (source,x,y,label or source,label) or QuPath GeoJSON (with --slide); all or nothing',
  usage: 'FILE.csv|FILE.geojson --project DB --task NAME [--slide FILE] [--author NAME] [--json]',
  positionals: 1,
  options: { ...projectOptionSpec, ...taskOption, slide: { type: 'string' }, author: { type: 'string' } },
  async run(ctx) {
    const store = await openProjectOption(ctx);
    const task = new TasksRepo(store.db).require(requiredStringOption(ctx, 'task'));
    const result = importLabels(store, task, ctx.positionals[0]!, {
      slide: ctx.options.slide as string | undefined,
      author: (ctx.options.author as string | undefined) ?? os.userInfo().username,
    });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.out(`Imported ${result.labels} labels into ${task.name}: ${Object.entries(result.perClass).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  },
};

export const labelsExportCommand: CliCommand = {
  path: ['labels', 'export'],
  summary: 'Export a task\'s labels as CSV or QuPath GeoJSON (tile squares in level-0 pixels)',
  usage: '--project DB --task NAME --out FILE.csv|FILE.geojson [--slide FILE] [--json]',
  positionals: 0,
  options: { ...projectOptionSpec, ...taskOption, out: { type: 'string' }, slide: { type: 'string' } },
  async run(ctx) {
    const store = await openProjectOption(ctx);
    const task = new TasksRepo(store.db).require(requiredStringOption(ctx, 'task'));
    const result = exportLabels(store, task, requiredStringOption(ctx, 'out'), { slide: ctx.options.slide as string | undefined });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.err(`Wrote ${result.labels} labels to ${result.file}`);
  },
};

export const datasetImportFolderCommand: CliCommand = {
  path: ['dataset', 'import-folder'],
  summary: 'Import a patch dataset (DIR/<class>/<image>) as labelled tiles of a task, and embed it when --backbone is given',
  usage: 'DIR --project DB --task NAME [--backbone ID|NAME] [--views none|d4|stain|d4+stain] [--batch N] [--json]',
  positionals: 1,
  options: { ...projectOptionSpec, ...taskOption, backbone: { type: 'string' }, views: { type: 'string' }, batch: { type: 'string' } },
  async run(ctx) {
    const store = await openProjectOption(ctx);
    const core = ctx.core();
    const views = (ctx.options.views as string | undefined) ?? 'none';
    if (!ViewMode.safeParse(views).success) throw new UsageError(`--views: expected none, d4, stain or d4+stain, got '${views}'`);
    const batch = Number((ctx.options.batch as string | undefined) ?? 32);
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch: expected a whole number >= 1`);
    const taskName = requiredStringOption(ctx, 'task');
    const backboneRef = ctx.options.backbone as string | undefined;
    const backbone = backboneRef ? await resolveBackbone(store, backboneRef) : undefined;
    const stop = reportProgress(core.jobs, 'images');
    try {
      const imported = await core.jobs.start('dataset.import-folder', (job) => importPatchFolder(store, ctx.positionals[0]!, taskName, job)).result;
      const embedded = backbone
        ? await core.jobs.start('embed', (job) =>
            extractEmbeddings(store, { paths: [ctx.positionals[0]!], backbone, views: views as ViewMode, batchSize: batch, dtype: 'float32', minTissue: 0 }, job),
          ).result
        : undefined;
      const result = { task: imported.task.name, classes: imported.task.classes, images: imported.images, perClass: imported.perClass, failed: imported.failed, ...(embedded ? { embedded } : {}) };
      for (const f of imported.failed) ctx.err(`histo: skipped ${f.message}`);
      if (ctx.json) return ctx.out(JSON.stringify(result));
      ctx.out(`Imported ${result.images} images into task ${result.task} (${Object.entries(result.perClass).map(([c, n]) => `${c} ${n}`).join(', ')})` + (embedded ? `; embedded ${embedded.embedded} tile views` : ''));
    } finally {
      stop();
    }
  },
};
