import { HeadKindName, MetricName, PreprocessName, type LearningCurveSummary, type TrainSummary } from '../../../src-shared/contract';
import type { CliCommand } from '../command';
import { UsageError } from '../cli-errors';
import { callCore, runJob } from '../call-core';
import { numberOption, requiredStringOption } from '../option-values';
import { openProjectOption, projectOptionSpec } from '../project-option';
import { parseAugmentation, parseCopies, parseSyntheticWeight } from '../../core/heads/feature-augmentation';

function labelsPerClassOption(text: string): Array<number | 'all'> {
  return text.split(',').map((part) => {
    const value = part.trim();
    if (value === 'all') return 'all';
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--labels-per-class: '${value}' is not a whole number >= 1 or 'all'`);
    return n;
  });
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '  n/a' : `${(v * 100).toFixed(1).padStart(5)}`);

export const trainCommand: CliCommand = {
  path: ['train'],
  summary: 'Train a head on a task\'s labelled embeddings with grouped cross-validation (or a learning curve)',
  usage:
    '--project DB --task NAME --backbone ID|NAME --head logreg|mlp|knn [--cv 5] [--group slide|none|COLUMN] [--preprocess auto|none|l2|standardize|standardize-project] [--augment none|views|noise|mixup|smote (joined with +) [--copies all|N] [--synthetic-weight W]] [--search [--search-metric f1Macro]] [--positive CLASS] [--seed 0] [--labels-per-class 2,5,10 [--repeats 10]] [--json]',
  positionals: 0,
  options: {
    ...projectOptionSpec,
    task: { type: 'string' },
    backbone: { type: 'string' },
    head: { type: 'string' },
    cv: { type: 'string' },
    group: { type: 'string' },
    augment: { type: 'string' },
    preprocess: { type: 'string' },
    copies: { type: 'string' },
    'synthetic-weight': { type: 'string' },
    search: { type: 'boolean' },
    'search-metric': { type: 'string' },
    positive: { type: 'string' },
    seed: { type: 'string' },
    'labels-per-class': { type: 'string' },
    repeats: { type: 'string' },
  },
  async run(ctx) {
    const kind = requiredStringOption(ctx, 'head');
    if (!HeadKindName.safeParse(kind).success) throw new UsageError(`--head: expected ${HeadKindName.options.slice(0, -1).join(', ')} or ${HeadKindName.options.at(-1)}, got '${kind}'`);
    const augment = (ctx.options.augment as string | undefined) ?? 'none';
    // Friendlier words than the schema's for the common slips; the contract still checks everything.
    parseAugmentation(augment);
    const preprocess = (ctx.options.preprocess as string | undefined) ?? 'auto';
    if (!PreprocessName.safeParse(preprocess).success) throw new UsageError(`--preprocess: expected ${PreprocessName.options.join(', ')}, got '${preprocess}'`);
    let copies: number | 'all';
    let syntheticWeight: number;
    try {
      copies = parseCopies(ctx.options.copies);
      syntheticWeight = parseSyntheticWeight(ctx.options['synthetic-weight']);
    } catch (err) {
      throw new UsageError(`--copies / --synthetic-weight: ${(err as Error).message}`);
    }
    const searchMetric = ctx.options['search-metric'] as string | undefined;
    if (searchMetric !== undefined && !MetricName.safeParse(searchMetric).success) throw new UsageError(`--search-metric: expected one of ${MetricName.options.join(', ')}`);
    await openProjectOption(ctx);
    const core = ctx.core();
    // The contract holds the limits (folds, repeats, seed, ...): the CLI only turns text into values.
    const request = {
      task: requiredStringOption(ctx, 'task'),
      backbone: requiredStringOption(ctx, 'backbone'),
      kind: kind as HeadKindName,
      group: ctx.options.group as string | undefined,
      augment,
      preprocess: preprocess as PreprocessName,
      copies,
      syntheticWeight,
      seed: numberOption(ctx, 'seed', { integer: true, min: 0 }),
    };
    const curveText = ctx.options['labels-per-class'] as string | undefined;
    if (curveText !== undefined) {
      const repeats = numberOption(ctx, 'repeats', { integer: true, min: 1 });
      const result = (await runJob(core, 'train.start', { ...request, labelsPerClass: labelsPerClassOption(curveText), repeats }, 'steps')) as LearningCurveSummary;
      if (ctx.json) return ctx.out(JSON.stringify(result));
      ctx.out(`preprocessing: ${result.preprocess}`);
      ctx.out(`labels/class  F1 macro (± std)${augment !== 'none' ? `   with ${augment}    with - without (paired over the same draws)` : ''}`);
      for (const p of result.curve) {
        const aug = p.f1MacroAugmented !== undefined ? `   ${pct(p.f1MacroAugmented)} ± ${pct(p.f1MacroAugmentedStd ?? 0)}    ${p.difference?.text ?? ''}` : '';
        ctx.out(`${String(p.labelsPerClass).padStart(12)}  ${pct(p.f1Macro)} ± ${pct(p.f1MacroStd)}${aug}`);
      }
      return;
    }
    const folds = numberOption(ctx, 'cv', { integer: true, min: 2 });
    const result = (await runJob(
      core,
      'train.start',
      { ...request, folds, search: ctx.options.search === true, searchMetric: searchMetric as MetricName | undefined, positive: ctx.options.positive as string | undefined },
      'steps',
    )) as TrainSummary;
    for (const message of result.messages) ctx.err(`histo: ${message}`);
    if (ctx.json) return ctx.out(JSON.stringify(result));
    const m = result.metrics;
    ctx.out(
      [
        `Head ${result.headId}: ${result.kind} on ${result.data.tiles} tiles of ${result.data.groups} groups, ${folds ?? 5}-fold grouped CV, ${result.seconds.toFixed(2)} s`,
        `  F1 ${pct(m.f1)}  F1 macro ${pct(m.f1Macro)}  precision ${pct(m.precision)}  recall ${pct(m.recall)}  balanced acc ${pct(m.balancedAccuracy)}  ROC-AUC ${pct(m.rocAuc)}  PR-AUC ${pct(m.prAuc)}`,
        `  preprocessing: ${result.preprocessing?.chosen} (${result.preprocessing?.how})`,
        ...(result.augmentation
          ? [`  augmentation ${result.augmentation.method}: F1 macro ${pct(result.augmentation.f1MacroWithout)} without -> ${pct(result.augmentation.f1MacroWith)} with; ${result.augmentation.difference?.text ?? ""}`]
          : []),
        `  confusion (rows true ${result.classes.join('/')}): ${result.confusion.map((r) => `[${r.join(' ')}]`).join(' ')}`,
      ].join('\n'),
    );
  },
};

export const headsListCommand: CliCommand = {
  path: ['heads', 'list'],
  summary: 'List the trained heads of a project with their task, backbone and cross-validated metrics',
  usage: '--project DB [--json]',
  positionals: 0,
  options: projectOptionSpec,
  async run(ctx) {
    await openProjectOption(ctx);
    const heads = await callCore(ctx.core(), 'head.list', {});
    if (ctx.json) return ctx.out(JSON.stringify(heads));
    ctx.out(heads.map((h) => `${String(h.id).padStart(3)}  ${h.task} / ${h.backbone} / ${h.kind}: F1 macro ${pct(h.metrics.f1Macro)}  (${h.createdAt})`).join('\n') || 'No heads.');
  },
};

export const headExportCommand: CliCommand = {
  path: ['head', 'export'],
  summary: 'Export a head as ONNX (embedding in, class probabilities out), or with --with-backbone as one pixels-to-probabilities model',
  usage: 'ID --project DB --out head.onnx [--with-backbone] [--json]',
  positionals: 1,
  options: { ...projectOptionSpec, out: { type: 'string' }, 'with-backbone': { type: 'boolean' } },
  async run(ctx) {
    const id = Number(ctx.positionals[0]);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`head export: '${ctx.positionals[0]}' is not a head id (see 'histo heads list')`);
    await openProjectOption(ctx);
    const result = await callCore(ctx.core(), 'head.export', { id, out: requiredStringOption(ctx, 'out'), withBackbone: ctx.options['with-backbone'] === true });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.err(`Wrote head ${id} (${result.classes.join(', ')})${result.withBackbone ? ` with backbone ${result.backbone}` : ''} to ${result.file}`);
  },
};
