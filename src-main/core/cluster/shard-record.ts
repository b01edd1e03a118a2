import type Database from 'better-sqlite3';
import { appVersion } from '../app-version';
import { HistoError } from '../errors';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { ProjectMetaRepo } from '../project/repos/project-meta-repo';
import { formatShardSpec, type ShardSpec } from './shard-spec';

/** What a shard project records about how it was made (project_meta row 'shard', JSON). */
export interface ShardRecord {
  spec: string;
  command: 'embed' | 'predict';
  backbone: { name: string; sha256: string; inputSize: number; mean: number[]; std: number[]; dim: number };
  /** The tiling parameters of slides (patch images are always one whole-image tile). */
  tilingKey: string;
  appVersion: string;
  inputs: Array<{ path: string; fingerprint: string }>;
  recordedAt: string;
}

export const SHARD_META_KEY = 'shard';

export function readShardRecord(db: Database.Database): ShardRecord | null {
  const value = new ProjectMetaRepo(db).get(SHARD_META_KEY);
  return value !== undefined ? (JSON.parse(value) as ShardRecord) : null;
}

export function backboneIdentity(b: StoredBackbone): ShardRecord['backbone'] {
  return { name: b.name, sha256: b.sha256, inputSize: b.inputSize, mean: [...b.mean], std: [...b.std], dim: b.dim };
}

/**
 * Records (or re-confirms, on a rerun) what this shard file holds. A shard file reused for another
 * shard, backbone or tiling is refused: its rows could no longer be told apart at merge time.
 */
export function recordShard(
  db: Database.Database,
  file: string,
  shard: ShardSpec,
  fields: Omit<ShardRecord, 'spec' | 'appVersion' | 'recordedAt'>,
): ShardRecord {
  const spec = formatShardSpec(shard);
  const previous = readShardRecord(db);
  if (previous) {
    if (previous.spec !== spec) throw new HistoError('BAD_INPUT', `${file}: holds shard ${previous.spec}, not ${spec}; give each shard its own project file`);
    if (previous.backbone.sha256 !== fields.backbone.sha256) throw new HistoError('BAD_INPUT', `${file}: shard was made with backbone ${previous.backbone.name} (sha256 ${previous.backbone.sha256.slice(0, 12)}), not ${fields.backbone.name}`);
    if (previous.tilingKey !== fields.tilingKey) throw new HistoError('BAD_INPUT', `${file}: shard was tiled with ${previous.tilingKey}, not ${fields.tilingKey}`);
  }
  const inputs = new Map((previous?.inputs ?? []).map((i) => [i.fingerprint, i]));
  for (const input of fields.inputs) inputs.set(input.fingerprint, input);
  const record: ShardRecord = { ...fields, spec, appVersion, inputs: [...inputs.values()], recordedAt: new Date().toISOString() };
  new ProjectMetaRepo(db).set(SHARD_META_KEY, JSON.stringify(record));
  return record;
}
