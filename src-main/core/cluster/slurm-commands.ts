import { spawnSync } from 'node:child_process';
import { HistoError } from '../errors';

/** One array task as Slurm reports it. */
export interface ArrayTaskState {
  task: number;
  state: string;
  reason: string | null;
}

function run(command: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new HistoError('NOT_FOUND', `${command}: not found; run this on a Slurm login node (or install the Slurm client tools)`);
  }
  // Slurm tools print a chain of errors; the last line says what finally failed, and our errors stay one line.
  const lastLine = (result.stderr ?? '').trim().split('\n').at(-1) ?? '';
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: lastLine.trim() };
}

/** Submits a script with sbatch and returns the job id (an array's base id). */
export function submitScript(script: string, array?: string): string {
  const result = run('sbatch', ['--parsable', ...(array ? [`--array=${array}`] : []), script]);
  const jobId = result.stdout.trim().split(';')[0] ?? '';
  if (!result.ok || !/^\d+$/.test(jobId)) throw new HistoError('BAD_INPUT', `${script}: sbatch refused it: ${result.stderr || result.stdout.trim() || 'no job id printed'}`);
  return jobId;
}

/** Expands Slurm array ids: "1-3", "2,5", "1-9%2", "4". */
export function expandArrayIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split('%')[0]!.split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    const last = to !== undefined && Number.isInteger(to) ? to : from;
    for (let id = from; id <= last && ids.length < 100_000; id++) ids.push(id);
  }
  return ids;
}

/** Parses `scontrol -o show job` lines (one per task, or one per pending range) into task states. */
export function parseScontrol(text: string): ArrayTaskState[] {
  const tasks: ArrayTaskState[] = [];
  for (const line of text.split('\n')) {
    const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(line)?.[1] ?? null;
    const state = field('JobState');
    const ids = field('ArrayTaskId');
    if (!state) continue;
    const reason = field('Reason');
    for (const task of ids ? expandArrayIds(ids) : [0]) tasks.push({ task, state, reason: reason === 'None' ? null : reason });
  }
  return tasks.sort((a, b) => a.task - b.task);
}

/** Parses `sacct -n -P -X -o JobID,State` lines ("12_3|COMPLETED") into task states. */
export function parseSacct(text: string): ArrayTaskState[] {
  const tasks: ArrayTaskState[] = [];
  for (const line of text.split('\n')) {
    const [jobId, state] = line.trim().split('|');
    const match = /_(\[?[\d,%-]+\]?)$/.exec(jobId ?? '');
    if (!state || !match) continue;
    for (const task of expandArrayIds(match[1]!.replace(/[[\]]/g, ''))) tasks.push({ task, state: state.split(' ')[0]!, reason: null });
  }
  return tasks.sort((a, b) => a.task - b.task);
}

/**
 * The array's task states: scontrol knows pending, running and recently finished tasks; sacct
 * (where accounting is on) knows older ones.
 */
export function arrayStatus(jobId: string): ArrayTaskState[] {
  if (!/^\d+$/.test(jobId)) throw new HistoError('VALIDATION', `'${jobId}' is not a Slurm job id`);
  const live = run('scontrol', ['-o', 'show', 'job', jobId]);
  if (live.ok) {
    const tasks = parseScontrol(live.stdout);
    if (tasks.length > 0) return tasks;
  }
  const past = run('sacct', ['-n', '-P', '-X', '-j', jobId, '-o', 'JobID,State']);
  if (past.ok) {
    const tasks = parseSacct(past.stdout);
    if (tasks.length > 0) return tasks;
  }
  if (!live.ok && !past.ok && !/invalid job id/i.test(live.stderr)) throw new HistoError('NOT_FOUND', `cannot ask Slurm about job ${jobId}: ${live.stderr || past.stderr}`);
  throw new HistoError('NOT_FOUND', `Slurm knows no job ${jobId} (${live.stderr || past.stderr || 'no record'})`);
}
