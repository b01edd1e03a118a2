import path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError } from '../cli-errors';
import { numberOption, requiredNumberOption, requiredStringOption } from '../option-values';
import { writeShardFolder, readManifest, shardStates } from '../../core/cluster/shard-dir';
import { arrayStatus, submitScript } from '../../core/cluster/slurm-commands';
import { arraySpec } from '../../core/cluster/sbatch-script';
import { printMerge, runMerge } from './merge';

/** How the nodes run this CLI: --histo, else exactly the way this process was started. */
function histoCommand(option: string | boolean | undefined): string[] {
  if (typeof option === 'string' && option.trim() !== '') return option.trim().split(/\s+/);
  return [process.execPath, path.resolve(process.argv[1] ?? 'histo')];
}

function shardList(text: string, count: number): number[] {
  const ids = text.split(',').map((t) => Number(t.trim()));
  if (ids.some((k) => !Number.isInteger(k) || k < 1 || k > count)) throw new UsageError(`--shards: expected shard numbers from 1 to ${count}, got '${text}'`);
  return ids;
}

export const clusterSbatchCommand: CliCommand = {
  path: ['cluster', 'sbatch'],
  summary: 'Write (and with --submit, submit) a Slurm array script that embeds N shards into DIR/shard-K.histo',
  usage:
    '--slides LIST|DIR --shards N --out-dir DIR --backbone NAME|FILE.onnx [--partition P] [--gpus-per-task G] [--cpus-per-task C] [--mem M] [--time T] [--provider cuda] [--histo CMD] [--submit] [--json] -- EMBED-FLAGS',
  positionals: [0, 100],
  options: {
    slides: { type: 'string' },
    shards: { type: 'string' },
    'out-dir': { type: 'string' },
    backbone: { type: 'string' },
    partition: { type: 'string' },
    'gpus-per-task': { type: 'string' },
    'cpus-per-task': { type: 'string' },
    mem: { type: 'string' },
    time: { type: 'string' },
    provider: { type: 'string' },
    histo: { type: 'string' },
    submit: { type: 'boolean' },
  },
  async run(ctx) {
    const backbone = requiredStringOption(ctx, 'backbone');
    const written = writeShardFolder({
      histo: histoCommand(ctx.options.histo),
      slides: requiredStringOption(ctx, 'slides'),
      shards: requiredNumberOption(ctx, 'shards', { integer: true, min: 1, max: 10_000 }),
      outDir: requiredStringOption(ctx, 'out-dir'),
      // A model file is named absolutely: the nodes' working directory is not ours.
      backbone: backbone.toLowerCase().endsWith('.onnx') ? path.resolve(backbone) : backbone,
      partition: ctx.options.partition as string | undefined,
      gpusPerTask: numberOption(ctx, 'gpus-per-task', { integer: true, min: 0, max: 64 }),
      cpusPerTask: numberOption(ctx, 'cpus-per-task', { integer: true, min: 1, max: 1024 }),
      mem: ctx.options.mem as string | undefined,
      time: ctx.options.time as string | undefined,
      provider: ctx.options.provider as string | undefined,
      embedFlags: ctx.positionals,
    });
    const jobId = ctx.options.submit ? submitScript(written.script) : null;
    if (ctx.json) return ctx.out(JSON.stringify({ ...written, jobId }));
    ctx.err(`Wrote ${written.script} (${written.inputs} inputs)`);
    ctx.out(jobId ?? `sbatch ${written.script}`);
  },
};

export const clusterResubmitCommand: CliCommand = {
  path: ['cluster', 'resubmit'],
  summary: 'Submit the array script of a shard folder again, for the given shards only (default: those not done)',
  usage: 'DIR [--shards K,K] [--json]',
  positionals: 1,
  options: { shards: { type: 'string' } },
  async run(ctx) {
    const dir = ctx.positionals[0]!;
    const manifest = readManifest(dir);
    const ids = typeof ctx.options.shards === 'string' ? shardList(ctx.options.shards, manifest.shards) : shardStates(dir).filter((s) => s.state !== 'done').map((s) => s.shard);
    if (ids.length === 0) throw new UsageError(`${path.resolve(dir)}: every shard is done; nothing to resubmit`);
    const jobId = submitScript(manifest.script, arraySpec(ids));
    if (ctx.json) return ctx.out(JSON.stringify({ jobId, shards: ids }));
    ctx.err(`Resubmitted shards ${arraySpec(ids)}`);
    ctx.out(jobId);
  },
};

export const clusterStatusCommand: CliCommand = {
  path: ['cluster', 'status'],
  summary: "Show the states of a Slurm array's tasks (scontrol/squeue, else sacct)",
  usage: 'JOBID [--json]',
  positionals: 1,
  async run(ctx) {
    const tasks = arrayStatus(ctx.positionals[0]!);
    if (ctx.json) return ctx.out(JSON.stringify(tasks));
    for (const t of tasks) ctx.out(`${ctx.positionals[0]}_${t.task}\t${t.state}${t.reason ? `\t${t.reason}` : ''}`);
  },
};

export const clusterMergeCommand: CliCommand = {
  path: ['cluster', 'merge'],
  summary: 'Merge the finished shards of a shard folder into a study project and name the missing or failed ones',
  usage: 'DIR --into STUDY.histo [--json]',
  positionals: 1,
  options: { into: { type: 'string' } },
  async run(ctx) {
    const states = shardStates(ctx.positionals[0]!);
    const done = states.filter((s) => s.state === 'done');
    const notDone = states.filter((s) => s.state !== 'done');
    for (const s of notDone) ctx.err(`histo: shard ${s.shard} ${s.state}${s.detail ? ` (${s.detail})` : ''}: ${s.file}`);
    if (done.length === 0) throw new UsageError(`${path.resolve(ctx.positionals[0]!)}: no shard has finished yet`);
    const summary = await runMerge(ctx, done.map((s) => s.file));
    const missing = notDone.map((s) => ({ shard: s.shard, state: s.state, detail: s.detail }));
    if (ctx.json) ctx.out(JSON.stringify({ ...summary, notMerged: missing }));
    else {
      printMerge(ctx, summary);
      if (missing.length > 0) ctx.err(`${missing.length} of ${states.length} shards not merged yet; resubmit them with 'histo cluster resubmit ${ctx.positionals[0]}'`);
    }
    return missing.length > 0 ? 3 : 0;
  },
};
