import os from 'node:os';
import type { CliCommand } from '../command';
import { UsageError } from '../cli-errors';
import { callCore, runJob } from '../call-core';
import { openProjectOption, projectOptionSpec } from '../project-option';
import { numberOption, requiredStringOption } from '../option-values';
import { ViewMode } from '../../../src-shared/contract';
import type { EmbedSummary, PatchFolderSummary } from '../../../src-shared/contract';

const taskOption = { task: { type: 'string' } } as const;

export const taskCreateCommand: CliCommand = {
  path: ['task', 'create'],
  summary: 'Create a classification task with its classes',
  usage: 'NAME --classes a,b,c [--detection] --project DB [--json]',
  positionals: 1,
  options: { ...projectOptionSpec, classes: { type: 'string' }, detection: { type: 'boolean' } },
  async run(ctx) {
    await openProjectOption(ctx);
    const classes = requiredStringOption(ctx, 'classes').split(',').map((c) => c.trim()).filter(Boolean);
    // The CLI prints the task itself; a new task has no labels to count.
    const { labels: _labels, ...task } = await callCore(ctx.core(), 'task.create', { name: ctx.positionals[0]!, classes, detection: ctx.options.detection === true });
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
    await openProjectOption(ctx);
    const tasks = await callCore(ctx.core(), 'task.list', {});
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
    await openProjectOption(ctx);
    const task = requiredStringOption(ctx, 'task');
    const result = await callCore(ctx.core(), 'label.import', {
      task,
      path: ctx.positionals[0]!,
      slide: ctx.options.slide as string | undefined,
      author: (ctx.options.author as string | undefined) ?? os.userInfo().username,
    });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.out(`Imported ${result.labels} labels into ${task}: ${Object.entries(result.perClass).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  },
};

export const labelsExportCommand: CliCommand = {
  path: ['labels', 'export'],
  summary: 'Export a task\'s labels as CSV or QuPath GeoJSON (tile squares in level-0 pixels)',
  usage: '--project DB --task NAME --out FILE.csv|FILE.geojson [--slide FILE] [--json]',
  positionals: 0,
  options: { ...projectOptionSpec, ...taskOption, out: { type: 'string' }, slide: { type: 'string' } },
  async run(ctx) {
    await openProjectOption(ctx);
    const result = await callCore(ctx.core(), 'label.export', { task: requiredStringOption(ctx, 'task'), out: requiredStringOption(ctx, 'out'), slide: ctx.options.slide as string | undefined });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.err(`Wrote ${result.labels} labels to ${result.file}`);
  },
};

export const datasetImportFolderCommand: CliCommand = {
  path: ['dataset', 'import-folder'],
  summary: 'Import a patch dataset (DIR/<class>/<image>, or DIR/<class>/<case>/<image> to keep each case together in Compare) as labelled tiles of a task, and embed it when --backbone is given',
  usage: 'DIR --project DB --task NAME [--backbone ID|NAME] [--views none|d4|stain|d4+stain] [--batch N] [--json]',
  positionals: 1,
  options: { ...projectOptionSpec, ...taskOption, backbone: { type: 'string' }, views: { type: 'string' }, batch: { type: 'string' } },
  async run(ctx) {
    await openProjectOption(ctx);
    const core = ctx.core();
    const views = (ctx.options.views as string | undefined) ?? 'none';
    if (!ViewMode.safeParse(views).success) throw new UsageError(`--views: expected none, d4, stain or d4+stain, got '${views}'`);
    const batchSize = numberOption(ctx, 'batch', { integer: true, min: 1 }) ?? 32;
    const task = requiredStringOption(ctx, 'task');
    const backbone = ctx.options.backbone as string | undefined;
    const dir = ctx.positionals[0]!;
    const imported = (await runJob(core, 'dataset.importFolder', { path: dir, task }, 'images')) as PatchFolderSummary;
    const embedded = backbone
      ? ((await runJob(core, 'embed.start', { paths: [dir], backbone, views: views as ViewMode, batchSize, dtype: 'float32', minTissue: 0 }, 'images')) as EmbedSummary)
      : undefined;
    const cases = imported.cases ?? 0;
    const result = { task: imported.task.name, classes: imported.task.classes, images: imported.images, cases, perClass: imported.perClass, failed: imported.failed, ...(embedded ? { embedded } : {}) };
    for (const f of imported.failed) ctx.err(`histo: skipped ${f.message}`);
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.out(`Imported ${result.images} images${cases ? ` of ${cases} cases` : ''} into task ${result.task} (${Object.entries(result.perClass).map(([c, n]) => `${c} ${n}`).join(', ')})` + (embedded ? `; embedded ${embedded.embedded} tile views` : ''));
  },
};
