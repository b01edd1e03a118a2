import type { CliCommand } from '../command';
import { callCore } from '../call-core';
import { numberOption } from '../option-values';
import { openProjectOption, projectOptionSpec } from '../project-option';

export const auditCommand: CliCommand = {
  path: ['audit'],
  summary: 'Show the project\'s audit trail: imports, extractions, trainings, comparisons, predictions, exports, reviews',
  usage: '--project DB [--action NAME] [--limit 500] [--json]',
  positionals: 0,
  options: { ...projectOptionSpec, action: { type: 'string' }, limit: { type: 'string' } },
  async run(ctx) {
    await openProjectOption(ctx);
    const entries = await callCore(ctx.core(), 'audit.list', {
      action: ctx.options.action as string | undefined,
      limit: numberOption(ctx, 'limit', { integer: true, min: 1, max: 10_000 }) ?? 500,
    });
    if (ctx.json) return ctx.out(JSON.stringify(entries));
    for (const e of entries) {
      ctx.out(`${e.at}  ${e.action.padEnd(22)} v${e.appVersion}  ${e.modelSha256 ? `model ${e.modelSha256.slice(0, 12)}…  ` : ''}${JSON.stringify(e.detail)}`);
    }
  },
};
