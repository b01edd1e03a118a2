import type { ComparisonResult } from '../../../src-shared/contract';
import type { CliCommand } from '../command';
import { comparisonUnitsCaveat, comparisonUnitsText } from '../../../src-shared/domain/comparison-units-text';
import { UsageError } from '../cli-errors';
import { runJob } from '../call-core';
import { numberOption, requiredStringOption } from '../option-values';
import { openProjectOption, projectOptionSpec } from '../project-option';

const list = (text: string | boolean | undefined) =>
  typeof text === 'string'
    ? text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

export const compareCommand: CliCommand = {
  path: ['compare'],
  summary: 'Rank candidate backbones on a labelled proxy task (same head, folds and seed), with 95% CIs and label-free diagnostics',
  usage: '--project DB --task NAME --backbones ID1,ID2,... [--head logreg|mlp|knn] [--cv 5] [--seed 0] [--downstream TASK,...] [--exclude-patch-sets ID,...] [--no-speed] [--json]',
  positionals: 0,
  options: {
    ...projectOptionSpec,
    task: { type: 'string' },
    backbones: { type: 'string' },
    head: { type: 'string' },
    cv: { type: 'string' },
    seed: { type: 'string' },
    downstream: { type: 'string' },
    'exclude-patch-sets': { type: 'string' },
    'no-speed': { type: 'boolean' },
  },
  async run(ctx) {
    const backbones = list(ctx.options.backbones);
    if (backbones.length < 2) throw new UsageError('compare: --backbones needs at least two backbones, comma-separated');
    const excludePatchSets = list(ctx.options['exclude-patch-sets']).map((id) => {
      if (!/^[1-9]\d*$/.test(id)) throw new UsageError(`--exclude-patch-sets: expected numeric patch set ids, got '${id}'`);
      return Number(id);
    });
    const head = (ctx.options.head as string | undefined) ?? 'logreg';
    if (!['logreg', 'mlp', 'knn'].includes(head)) throw new UsageError(`--head: expected logreg, mlp or knn, got '${head}'`);
    await openProjectOption(ctx);
    const core = ctx.core();
    const result = (await runJob(core, 'compare.start', {
      task: requiredStringOption(ctx, 'task'),
      backbones,
      head: head as 'logreg',
      folds: numberOption(ctx, 'cv', { integer: true, min: 2, max: 20 }) ?? 5,
      seed: numberOption(ctx, 'seed', { integer: true, min: 0 }) ?? 0,
      downstream: list(ctx.options.downstream),
      excludePatchSets,
      measureSpeed: ctx.options['no-speed'] !== true,
    }, 'steps')) as ComparisonResult;
    if (ctx.json) return ctx.out(JSON.stringify(result));
    const pct = (v: number | null) => (v === null ? '  n/a' : (v * 100).toFixed(1).padStart(5));
    ctx.out(`Backbones on proxy task ${result.task} (${result.head}, ${result.folds}-fold grouped CV, seed ${result.seed}):`);
    if (result.units) {
      ctx.out(`${comparisonUnitsText(result.units)}.`);
      const caveat = comparisonUnitsCaveat(result.units);
      if (caveat) ctx.out(caveat);
    }
    result.ranking.forEach((r, i) =>
      ctx.out(
        `${i + 1}. ${r.backbone.padEnd(24)} F1 macro ${pct(r.f1Macro)} ± ${pct(r.f1Std)}  CI95 [${pct(r.ci95[0])}, ${pct(r.ci95[1])}]  kNN acc ${pct(r.knnAccuracy)}  ` +
          `RankMe ${r.rankMe?.toFixed(1) ?? "n/a"}  invariance ${r.augInvariance?.toFixed(2) ?? "n/a"}  ${r.tilesPerSecond === null ? '' : `${r.tilesPerSecond.toFixed(1)} tiles/s`}  ${r.dim}-d`,
      ),
    );
    for (const [a, b] of result.notSeparable) ctx.out(`Not separable on this proxy: ${a} and ${b} (95% intervals overlap)`);
    for (const t of result.transfer) ctx.out(`Transfer to ${t.task}: Spearman ${t.spearman === null ? 'n/a' : t.spearman.toFixed(2)}`);
  },
};
