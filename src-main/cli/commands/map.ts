import type { CliCommand } from '../command';
import type { MapSummary } from '../../../src-shared/contract';
import { callCore, runJob } from '../call-core';
import { openProjectOption, projectOptionSpec } from '../project-option';
import { numberOption, requiredStringOption } from '../option-values';

export const mapCommand: CliCommand = {
  path: ['map'],
  summary: 'Compute a 2-D UMAP of a backbone\'s stored embeddings, store it in the project and write it (CSV or JSON, one row per tile)',
  usage: '--project DB --backbone B [--sample N] --out map.csv|map.json [--json]',
  positionals: 0,
  options: { ...projectOptionSpec, backbone: { type: 'string' }, sample: { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    const backbone = requiredStringOption(ctx, 'backbone');
    const out = requiredStringOption(ctx, 'out');
    const sample = numberOption(ctx, 'sample', { integer: true, min: 50, max: 200_000 });
    await openProjectOption(ctx);
    const core = ctx.core();
    const summary = (await runJob(core, 'map.start', { backbone, ...(sample !== undefined ? { sample } : {}) }, 'steps')) as MapSummary;
    const written = await callCore(core, 'map.export', { backbone, out });
    if (ctx.json) return ctx.out(JSON.stringify({ ...summary, ...written }));
    ctx.err(`Mapped ${summary.tiles} tiles of '${summary.backbone}' in ${summary.seconds.toFixed(1)} s: ${summary.method}`);
    ctx.err(`Wrote ${written.tiles} rows to ${written.file}`);
  },
};
