import type { EmbedSummary, MethodInput, ViewMode } from '../../../src-shared/contract';
import { ViewMode as ViewModeSchema } from '../../../src-shared/contract';
import type { CliCommand } from '../command';
import { callCore, runJob } from '../call-core';
import { UsageError } from '../cli-errors';
import { numberOption, requiredStringOption } from '../option-values';
import { openProjectOption, projectOptionSpec } from '../project-option';
import { parseShardSpec } from '../../core/cluster/shard-spec';
import { backboneRefFromOption } from '../backbone-file-ref';
import { openOrCreateShardProject } from '../shard-project';

export const embedCommand: CliCommand = {
  path: ['embed'],
  summary: 'Embed the tissue tiles of slides (or a folder of patch images) with a backbone into the project',
  usage:
    'PATH... --project DB --backbone ID|NAME|FILE.onnx [--shard K/N] [--size 224] [--mpp 0.5 | --level L] [--min-tissue 0.5] [--views none|d4|stain|d4+stain] [--batch N] [--float16] [--provider P] [--mpp-override M] [--json]',
  positionals: [1, 100_000],
  options: {
    ...projectOptionSpec,
    backbone: { type: 'string' },
    size: { type: 'string' },
    mpp: { type: 'string' },
    level: { type: 'string' },
    'min-tissue': { type: 'string' },
    views: { type: 'string' },
    batch: { type: 'string' },
    float16: { type: 'boolean' },
    provider: { type: 'string' },
    'mpp-override': { type: 'string' },
    shard: { type: 'string' },
  },
  async run(ctx) {
    const shard = typeof ctx.options.shard === 'string' ? parseShardSpec(ctx.options.shard) : undefined;
    // A shard file is made by its array task: created here when missing.
    if (shard) await openOrCreateShardProject(ctx);
    else await openProjectOption(ctx);
    const core = ctx.core();
    const views = (ctx.options.views as string | undefined) ?? 'none';
    if (!ViewModeSchema.safeParse(views).success) throw new UsageError(`--views: expected none, d4, stain or d4+stain, got '${views}'`);
    const mpp = numberOption(ctx, 'mpp', { min: 1e-6 });
    const level = numberOption(ctx, 'level', { integer: true, min: 0 });
    if (mpp !== undefined && level !== undefined) throw new UsageError('embed: give --mpp or --level, not both');
    const request: MethodInput<'embed.start'> = {
      paths: ctx.positionals,
      backbone: await backboneRefFromOption(core, requiredStringOption(ctx, 'backbone')),
      shard,
      tileSize: numberOption(ctx, 'size', { integer: true, min: 8, max: 8192 }),
      mpp,
      level,
      minTissue: numberOption(ctx, 'min-tissue', { min: 0, max: 1 }) ?? 0.5,
      views: views as ViewMode,
      batchSize: numberOption(ctx, 'batch', { integer: true, min: 1, max: 4096 }) ?? 32,
      dtype: ctx.options.float16 ? 'float16' : 'float32',
      provider: ((ctx.options.provider as string | undefined) ?? 'auto') as 'auto',
      mppOverride: numberOption(ctx, 'mpp-override', { min: 1e-6 }),
    };
    const summary = (await runJob(core, 'embed.start', request, 'tiles')) as EmbedSummary;
    for (const failure of summary.failed) {
      const message = failure.cli ?? failure.message;
      ctx.err(`histo: skipped ${message.startsWith(failure.path) ? message : `${failure.path}: ${message}`}`);
    }
    if (ctx.json) ctx.out(JSON.stringify(summary));
    else ctx.out(`Embedded ${summary.embedded} tile views of ${summary.slides} slides (${summary.tiles} tiles x ${summary.views} views) in ${summary.seconds.toFixed(1)} s: ${summary.tilesPerSecond.toFixed(1)} tiles/s on ${summary.provider}`);
    return summary.failed.length > 0 && summary.slides === 0 ? 1 : 0;
  },
};

export const embeddingsExportCommand: CliCommand = {
  path: ['embeddings', 'export'],
  summary: 'Export stored embeddings as CSV (source,x,y,view,e0..) or .npy with a .keys.csv sidecar',
  usage: '--project DB --backbone ID|NAME [--view 0|all] --out FILE.csv|FILE.npy [--json]',
  positionals: 0,
  options: { ...projectOptionSpec, backbone: { type: 'string' }, view: { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    await openProjectOption(ctx);
    const view = ctx.options.view === 'all' ? null : (numberOption(ctx, 'view', { integer: true, min: 0 }) ?? 0);
    const result = await callCore(ctx.core(), 'embedding.export', { backbone: requiredStringOption(ctx, 'backbone'), out: requiredStringOption(ctx, 'out'), view });
    if (ctx.json) ctx.out(JSON.stringify(result));
    else ctx.err(`Wrote ${result.rows} x ${result.dim} embeddings to ${result.files.join(' and ')}`);
  },
};
