import type { DemoSummary } from '../../../src-shared/contract';
import type { CliCommand } from '../command';
import { callCore } from '../call-core';
import { requiredStringOption } from '../option-values';
import { reportProgress } from '../progress-reporter';

export const demoCommand: CliCommand = {
  path: ['demo'],
  summary: 'Build the demo study offline (bundled slide and backbone, demonstration labels, a trained head, predictions): not diagnostic',
  usage: '--out DIR [--json]',
  positionals: 0,
  options: { out: { type: 'string' } },
  async run(ctx) {
    const core = ctx.core();
    const { jobId } = await callCore(core, 'demo.open', { dir: requiredStringOption(ctx, 'out') });
    const stop = reportProgress(core.jobs, 'steps');
    let summary: DemoSummary;
    try {
      summary = (await core.jobs.resultOf(jobId)) as DemoSummary;
    } finally {
      stop();
    }
    if (ctx.json) return ctx.out(JSON.stringify(summary));
    ctx.out(`${summary.reused ? 'Demo study already built' : 'Built the demo study'}: ${summary.project} (${summary.seconds.toFixed(1)} s)`);
    ctx.out(`  ${summary.tiles} tiles of ${summary.slide} embedded; task ${summary.task} (${summary.classes.join(', ')}) with ${summary.labels} demonstration labels; head ${summary.headId} trained and predicted.`);
    ctx.out('  Demonstration only: the labels are rough and nothing here is diagnostic.');
  },
};
