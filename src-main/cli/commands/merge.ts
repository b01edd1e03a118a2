import type { CliCommand, CommandContext } from '../command';
import type { MergeSummary } from '../../../src-shared/contract';
import { openOrCreateProject } from '../shard-project';
import { runJob } from '../call-core';
import { requiredStringOption } from '../option-values';

/** Merges shard files into --into (created when missing) with progress on stderr; shared by `cluster merge`. */
export async function runMerge(ctx: CommandContext, files: readonly string[]): Promise<MergeSummary> {
  await openOrCreateProject(ctx, requiredStringOption(ctx, 'into'));
  return (await runJob(ctx.core(), 'project.merge', { shards: [...files] }, 'slides')) as MergeSummary;
}

export function printMerge(ctx: CommandContext, summary: MergeSummary): void {
  for (const s of summary.shards) {
    const a = s.added;
    ctx.err(`${s.file}${s.spec ? ` (shard ${s.spec})` : ''}: ${s.slides} slides; added ${a.slides} slides, ${a.tiles} tiles, ${a.embeddings} vectors, ${a.predictions} predictions`);
    if (s.predictionsWithoutHead > 0) ctx.err(`histo: ${s.file}: ${s.predictionsWithoutHead} predictions skipped: their head is not in ${summary.into}`);
  }
  const a = summary.added;
  ctx.out(`Merged ${summary.shards.length} shards into ${summary.into} in ${summary.seconds.toFixed(1)} s: added ${a.slides} slides, ${a.tilings} tilings, ${a.tiles} tiles, ${a.embeddings} vectors, ${a.predictions} predictions`);
}

export const projectMergeCommand: CliCommand = {
  path: ['project', 'merge'],
  summary: 'Merge shard projects (from `embed/predict --shard`) into a study project: verified, deduplicated, resumable',
  usage: 'SHARD.histo... --into STUDY.histo [--json]',
  positionals: [1, 100_000],
  options: { into: { type: 'string' } },
  async run(ctx) {
    const summary = await runMerge(ctx, ctx.positionals);
    if (ctx.json) ctx.out(JSON.stringify(summary));
    else printMerge(ctx, summary);
  },
};
