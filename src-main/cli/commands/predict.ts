import type { CliCommand } from '../command';
import { UsageError } from '../cli-errors';
import { numberOption, requiredStringOption } from '../option-values';
import { openProjectOption, projectOptionSpec } from '../project-option';
import { callCore, runJob } from '../call-core';
import type { PredictionRunSummary } from '../../../src-shared/contract';
import { parseShardSpec } from '../../core/cluster/shard-spec';

export const predictCommand: CliCommand = {
  path: ['predict'],
  summary: 'Run a head over whole slides: per-tile probabilities, slide summaries, CSV / QuPath GeoJSON / HTML report exports',
  usage:
    '--project DB --head ID FILE... [--shard K/N] [--threshold T] [--positive CLASS] [--csv OUT.csv] [--geojson OUT.geojson [--merge]] [--summary OUT.csv] [--report DIR] [--map DIR] [--json]',
  positionals: [1, 100_000],
  options: {
    ...projectOptionSpec,
    head: { type: 'string' },
    threshold: { type: 'string' },
    positive: { type: 'string' },
    csv: { type: 'string' },
    geojson: { type: 'string' },
    merge: { type: 'boolean' },
    summary: { type: 'string' },
    report: { type: 'string' },
    shard: { type: 'string' },
    map: { type: 'string' },
  },
  async run(ctx) {
    const headId = Number(requiredStringOption(ctx, 'head'));
    if (!Number.isInteger(headId) || headId < 1) throw new UsageError(`--head: '${String(ctx.options.head)}' is not a head id (see 'histo heads list')`);
    const threshold = numberOption(ctx, 'threshold', { min: 0, max: 1 });
    const shard = typeof ctx.options.shard === 'string' ? parseShardSpec(ctx.options.shard) : undefined;
    await openProjectOption(ctx);
    const core = ctx.core();
    const run = (await runJob(core, 'predict.start', { head: headId, paths: ctx.positionals, threshold, positive: ctx.options.positive as string | undefined, shard }, 'slides')) as PredictionRunSummary;
    for (const f of run.failed) ctx.err(`histo: skipped ${f.message.startsWith(f.path) ? f.message : `${f.path}: ${f.message}`}`);
    if (run.slides.length === 0) throw new UsageError('predict: no slide could be predicted');
    const { files: written } = await callCore(core, 'predict.export', {
      head: headId,
      slideIds: run.slides.map((s) => s.slideId),
      threshold: run.head.threshold,
      csv: ctx.options.csv as string | undefined,
      geojson: ctx.options.geojson as string | undefined,
      merge: ctx.options.merge === true,
      summary: ctx.options.summary as string | undefined,
      report: ctx.options.report as string | undefined,
      map: ctx.options.map as string | undefined,
    });
    const slides = run.slides.map(({ path: p, tiles, positive, fraction, max, mean, meanTopK, positivesPerMm2 }) => ({ path: p, tiles, positive, fraction, max, mean, meanTopK, positivesPerMm2 }));
    if (ctx.json) return ctx.out(JSON.stringify({ head: run.head, slides, failed: run.failed, files: written, seconds: run.seconds }));
    ctx.out(`Head ${headId} (${run.head.kind}, ${run.head.task}): p(${run.head.positive}) ≥ ${run.head.threshold.toFixed(3)} counts as positive`);
    for (const s of slides) ctx.out(`  ${s.path}: ${s.positive}/${s.tiles} tiles positive (${(s.fraction * 100).toFixed(1)}%), max ${s.max.toFixed(3)}, top-10 mean ${s.meanTopK.toFixed(3)}`);
    for (const file of written) ctx.err(`Wrote ${file}`);
  },
};
