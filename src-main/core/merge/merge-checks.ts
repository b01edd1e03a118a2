import type Database from 'better-sqlite3';
import { HistoError } from '../errors';
import type { ShardRecord } from '../cluster/shard-record';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { ProjectMetaRepo } from '../project/repos/project-meta-repo';
import type { OpenShard, ShardBackbone } from './shard-reader';

/** What every shard merged into one study must share: the backbone's bytes and preprocessing, and the tiling. */
export interface MergeReference {
  backbone: ShardRecord['backbone'];
  tilingKey: string;
}

export const MERGE_REFERENCE_KEY = 'merge_reference';

export function readMergeReference(db: Database.Database): MergeReference | null {
  const value = new ProjectMetaRepo(db).get(MERGE_REFERENCE_KEY);
  return value !== undefined ? (JSON.parse(value) as MergeReference) : null;
}

export function writeMergeReference(db: Database.Database, reference: MergeReference): void {
  new ProjectMetaRepo(db).setIfAbsent(MERGE_REFERENCE_KEY, JSON.stringify(reference));
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The reference a shard sets, or null for an ordinary project (then only row-level checks apply). */
export function referenceOf(shard: OpenShard): MergeReference | null {
  return shard.record ? { backbone: shard.record.backbone, tilingKey: shard.record.tilingKey } : null;
}

/** Refuses, in one line naming the shard, a shard made with another backbone or tiling than the study's shards. */
export function checkAgainstReference(shard: OpenShard, reference: MergeReference | null): void {
  const own = referenceOf(shard);
  if (!own || !reference) return;
  const a = own.backbone;
  const b = reference.backbone;
  if (a.sha256 !== b.sha256) {
    throw new HistoError('BAD_INPUT', `${shard.file}: made with backbone file sha256 ${a.sha256.slice(0, 16)}… (${a.name}), but the study's shards use ${b.sha256.slice(0, 16)}… (${b.name})`);
  }
  if (a.inputSize !== b.inputSize || !same(a.mean, b.mean) || !same(a.std, b.std)) {
    throw new HistoError('BAD_INPUT', `${shard.file}: backbone ${a.name} preprocessed differently (input ${a.inputSize}, mean ${a.mean.join(',')}, std ${a.std.join(',')}) than the study's shards (input ${b.inputSize}, mean ${b.mean.join(',')}, std ${b.std.join(',')})`);
  }
  if (own.tilingKey !== reference.tilingKey) {
    throw new HistoError('BAD_INPUT', `${shard.file}: tiled with ${own.tilingKey}, but the study's shards use ${reference.tilingKey}`);
  }
}

const preprocessingColumns = ['input_size', 'mean_json', 'std_json', 'input_name', 'output_name', 'dim'] as const;

/**
 * The study's backbone for a shard's backbone: the one with the same sha256 and preprocessing, or
 * null when the study does not have it yet. A different file under the same name is a conflict.
 */
export function matchBackbone(target: Database.Database, shard: OpenShard, backbone: ShardBackbone): number | null {
  const backbones = new BackbonesRepo(target);
  const bySha = backbones.rowsWithSha256(backbone.sha256) as ShardBackbone[];
  for (const candidate of bySha) {
    if (preprocessingColumns.every((c) => candidate[c] === backbone[c])) return candidate.id;
  }
  if (bySha.length > 0) {
    throw new HistoError('BAD_INPUT', `${shard.file}: backbone ${backbone.name} has the study's model file but different preprocessing (${preprocessingColumns.map((c) => `${c}=${String(backbone[c])}`).join(', ')})`);
  }
  const sameNameSha256 = backbones.sha256OfName(backbone.name);
  if (sameNameSha256) {
    throw new HistoError('BAD_INPUT', `${shard.file}: backbone '${backbone.name}' is a different model file (sha256 ${backbone.sha256.slice(0, 16)}…) than the study's '${backbone.name}' (${sameNameSha256.slice(0, 16)}…)`);
  }
  return null;
}
