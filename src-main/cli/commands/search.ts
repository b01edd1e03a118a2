import type { CliCommand } from '../command';
import { UsageError } from '../cli-errors';
import { callCore } from '../call-core';
import { openProjectOption, projectOptionSpec } from '../project-option';
import { numberOption, requiredNumberOption, requiredStringOption } from '../option-values';
import type { SearchQuery } from '../../../src-shared/contract';

function queryFromOptions(options: Record<string, string | boolean | undefined>, x: number | undefined, y: number | undefined): SearchQuery {
  const given = ['tile', 'image', 'slide'].filter((name) => options[name] !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one query: --tile ID, --image FILE, or --slide FILE --x X --y Y');
  if (options.tile !== undefined) {
    const tileId = Number(options.tile);
    if (!Number.isInteger(tileId) || tileId < 1) throw new UsageError(`--tile: expected a tile id (a whole number >= 1), got '${String(options.tile)}'`);
    return { kind: 'tile', tileId };
  }
  if (options.image !== undefined) return { kind: 'image', path: String(options.image) };
  if (x === undefined || y === undefined) throw new UsageError('--slide needs --x and --y (level-0 pixels)');
  return { kind: 'point', slide: String(options.slide), x, y };
}

export const searchCommand: CliCommand = {
  path: ['search'],
  summary: 'Find the stored tiles most similar to a tile, a point of a slide or an image file (exact cosine top-k)',
  usage: '--project DB --backbone B (--tile ID | --image FILE | --slide FILE --x X --y Y) [--k 50] [--task NAME] [--json]',
  positionals: 0,
  options: {
    ...projectOptionSpec,
    backbone: { type: 'string' },
    tile: { type: 'string' },
    image: { type: 'string' },
    slide: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
    k: { type: 'string' },
    task: { type: 'string' },
  },
  async run(ctx) {
    const backbone = requiredStringOption(ctx, 'backbone');
    const k = numberOption(ctx, 'k', { integer: true, min: 1, max: 10_000 }) ?? 50;
    const x = ctx.options.x === undefined ? undefined : requiredNumberOption(ctx, 'x', { integer: true, min: 0 });
    const y = ctx.options.y === undefined ? undefined : requiredNumberOption(ctx, 'y', { integer: true, min: 0 });
    const query = queryFromOptions(ctx.options, x, y);
    await openProjectOption(ctx);
    const task = ctx.options.task as string | undefined;
    const response = await callCore(ctx.core(), 'search.run', { backbone, query, k, ...(task ? { task } : {}) });
    const results = response.results.map(({ tileId, source, x: tx, y: ty, similarity, label }) => ({ tileId, source, x: tx, y: ty, similarity, ...(label !== undefined ? { label } : {}) }));
    if (ctx.json) return ctx.out(JSON.stringify({ results }));
    ctx.err(`Searched ${response.searched} tiles of backbone '${response.backbone}' in ${response.milliseconds.toFixed(0)} ms`);
    ctx.out(results.map((r) => `${r.similarity.toFixed(4)}  tile ${r.tileId}  ${r.source}  (${r.x}, ${r.y})${r.label ? `  [${r.label}]` : ''}`).join('\n') || 'No results.');
  },
};
