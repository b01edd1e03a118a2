/** What `histo cluster sbatch` needs to write an array script: one task per shard. */
export interface SbatchOptions {
  /** The command that runs the CLI on a node, already split into words (e.g. ['histo']). */
  histo: string[];
  /** Absolute file with one input path (slide, folder or patch folder) per line. */
  slidesList: string;
  shards: number;
  /** Absolute folder of shard-K.histo, logs and status files; on storage every node sees. */
  outDir: string;
  /** A project backbone name (built-in) or an absolute .onnx path on shared storage. */
  backbone: string;
  /** Only these array ids (a resubmission of failed shards); all when absent. */
  only?: number[];
  partition?: string;
  gpusPerTask?: number;
  cpusPerTask?: number;
  mem?: string;
  time?: string;
  provider?: string;
  /** Further `histo embed` flags, passed through word for word. */
  embedFlags: string[];
  jobName?: string;
}

/** Quotes one word for bash: single quotes, so nothing in it is expanded. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const shardFileName = (k: number) => `shard-${k}.histo`;
export const SCRIPT_NAME = 'histo-embed.sbatch';

/** Slurm array ids from a list: "2,5-7". */
export function arraySpec(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}

/**
 * The array script. Each task embeds its shard into its own project file (SQLite must never have
 * writers on several hosts), then leaves shard-K.done or shard-K.failed beside it, which is how
 * `histo cluster merge` tells finished shards from missing ones without asking Slurm.
 */
export function sbatchScript(o: SbatchOptions): string {
  const directives = [
    `--job-name=${o.jobName ?? 'histo-embed'}`,
    `--array=${o.only ? arraySpec(o.only) : `1-${o.shards}`}`,
    `--output=${o.outDir}/logs/shard-%a.log`,
    o.partition && `--partition=${o.partition}`,
    o.gpusPerTask !== undefined && `--gpus-per-task=${o.gpusPerTask}`,
    `--cpus-per-task=${o.cpusPerTask ?? 1}`,
    `--ntasks=1`,
    o.mem && `--mem=${o.mem}`,
    o.time && `--time=${o.time}`,
  ].filter((d): d is string => typeof d === 'string');
  const embed = [
    ...o.histo.map(shellWord),
    'embed',
    '"${INPUTS[@]}"',
    '--project',
    `"$OUT/shard-$K.histo"`,
    '--backbone',
    shellWord(o.backbone),
    '--shard',
    `"$K/${o.shards}"`,
    ...(o.provider ? ['--provider', shellWord(o.provider)] : []),
    ...o.embedFlags.map(shellWord),
  ].join(' ');
  return `#!/bin/bash
# Written by histo cluster sbatch: embeds shard K of ${o.shards} per array task.
${directives.map((d) => `#SBATCH ${d}`).join('\n')}
set -uo pipefail
K="\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}"
OUT=${shellWord(o.outDir)}
rm -f "$OUT/shard-$K.done" "$OUT/shard-$K.failed"
mapfile -t INPUTS < ${shellWord(o.slidesList)}
echo "histo shard $K/${o.shards} on $(hostname), job \${SLURM_ARRAY_JOB_ID:-?}_$K"
${embed}
rc=$?
if [ "$rc" -eq 0 ]; then echo "\${SLURM_ARRAY_JOB_ID:-}_$K" > "$OUT/shard-$K.done"; else echo "exit $rc" > "$OUT/shard-$K.failed"; fi
exit "$rc"
`;
}
