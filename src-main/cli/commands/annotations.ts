import path from 'node:path';
import type { CliCommand, CommandContext } from '../command';
import { UsageError } from '../cli-errors';
import { callCore } from '../call-core';
import { requiredStringOption } from '../option-values';
import { openProjectOption, projectOptionSpec } from '../project-option';
import type { HistoCore } from '../../core/histo-core';

const annotationOptions = { ...projectOptionSpec, task: { type: 'string' }, slide: { type: 'string' } } as const;

/** --slide: a slide id, or a slide's path as imported (or a file name only one slide has). */
async function slideIdOf(ctx: CommandContext, core: HistoCore): Promise<number> {
  const ref = requiredStringOption(ctx, 'slide');
  if (/^\d+$/.test(ref)) return Number(ref);
  const slides = await callCore(core, 'slide.list', {});
  const wanted = path.resolve(ref);
  const exact = slides.find((s) => s.path === wanted || s.path === ref);
  const byName = slides.filter((s) => path.basename(s.path) === path.basename(ref));
  const slide = exact ?? (byName.length === 1 ? byName[0] : undefined);
  if (!slide) throw new UsageError(`--slide: ${ref} is not a slide of this project${byName.length > 1 ? ' (several slides have that file name: give the path or the id)' : ''}`);
  return slide.id;
}

export const annotationsImportCommand: CliCommand = {
  path: ['annotations', 'import'],
  summary: "Import a slide's annotations from QuPath GeoJSON or Aperio ImageScope XML; the tiles under them become labels (all or nothing)",
  usage: 'FILE.geojson|FILE.xml --project DB --task NAME --slide ID|FILE [--author NAME] [--json]',
  positionals: 1,
  options: { ...annotationOptions, author: { type: 'string' } },
  async run(ctx) {
    await openProjectOption(ctx);
    const core = ctx.core();
    const author = typeof ctx.options.author === 'string' ? ctx.options.author : undefined;
    const result = await callCore(core, 'annotation.import', {
      task: requiredStringOption(ctx, 'task'),
      slideId: await slideIdOf(ctx, core),
      file: path.resolve(ctx.positionals[0]!),
      ...(author ? { author } : {}),
    });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    const perClass = Object.entries(result.perClass).map(([name, n]) => `${name} ${n}`).join(', ');
    ctx.out(`Imported ${result.annotations} annotations from ${result.file}: ${result.labelled} tiles labelled (${perClass || 'none'})`);
  },
};

export const annotationsExportCommand: CliCommand = {
  path: ['annotations', 'export'],
  summary: "Write a slide's annotations of a task as QuPath GeoJSON",
  usage: 'OUT.geojson --project DB --task NAME --slide ID|FILE [--json]',
  positionals: 1,
  options: annotationOptions,
  async run(ctx) {
    await openProjectOption(ctx);
    const core = ctx.core();
    const result = await callCore(core, 'annotation.export', { task: requiredStringOption(ctx, 'task'), slideId: await slideIdOf(ctx, core), file: path.resolve(ctx.positionals[0]!) });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.out(`Wrote ${result.annotations} annotations to ${result.file}`);
  },
};
