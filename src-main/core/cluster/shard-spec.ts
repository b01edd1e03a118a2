import { HistoError } from '../errors';

/** Shard `index` (1-based, as Slurm array ids 1..N) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

export const MAX_SHARDS = 100_000;

/** Parses "K/N" (1 <= K <= N); anything else is refused with the expected form named. */
export function parseShardSpec(text: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new HistoError('VALIDATION', `--shard: expected K/N with 1 <= K <= N <= ${MAX_SHARDS}, got '${text}'`);
  }
  return { index, count };
}

export function formatShardSpec(spec: ShardSpec): string {
  return `${spec.index}/${spec.count}`;
}

/**
 * The shard (1..count) a slide belongs to, from its content fingerprint alone: the same file lands
 * in the same shard on every machine, whatever its path and whatever order the inputs came in.
 * The fingerprint is already a SHA-256 prefix, so its leading 48 bits are uniformly spread.
 */
export function shardOfFingerprint(fingerprint: string, count: number): number {
  const lead = Number.parseInt(fingerprint.slice(0, 12), 16);
  if (!Number.isFinite(lead) || fingerprint.length < 12) throw new HistoError('INTERNAL', `not a content fingerprint: '${fingerprint}'`);
  return (lead % count) + 1;
}
