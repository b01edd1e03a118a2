import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HistoError } from '../errors';
import { assertOpenableProject } from '../project/project-file-check';
import { readShardRecord, type ShardRecord } from '../cluster/shard-record';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { HeadsRepo } from '../project/repos/heads-repo';
import { SlidesRepo } from '../project/repos/slides-repo';

export type Row = Record<string, unknown>;

export interface ShardBackbone extends Row {
  id: number;
  name: string;
  sha256: string;
}

export interface ShardHead {
  id: number;
  identity: string;
}

/** A shard project opened read-only: a merge never writes to its inputs. */
export interface OpenShard {
  file: string;
  db: Database.Database;
  record: ShardRecord | null;
  /** Backbones that have vectors in the shard. */
  backbones: ShardBackbone[];
  /** Heads that have predictions in the shard, with their identity (see headIdentity). */
  heads: ShardHead[];
  slideIds: number[];
}

/** What makes two heads the same model: kind, hyper-parameters and weights, not their row id. */
export function headIdentity(row: { kind: string; params_json: string; weights: Buffer }): string {
  return createHash('sha256').update(row.kind).update('\0').update(row.params_json).update('\0').update(row.weights).digest('hex');
}

export function openShard(file: string): OpenShard {
  const resolved = path.resolve(file);
  assertOpenableProject(resolved);
  const db = new Database(resolved, { readonly: true, fileMustExist: true });
  try {
    const backbones = new BackbonesRepo(db).rowsWithVectors() as ShardBackbone[];
    const heads = new HeadsRepo(db).modelRowsWithPredictions().map((h) => ({ id: h.id, identity: headIdentity(h) }));
    const slideIds = new SlidesRepo(db).ids();
    return { file: resolved, db, record: readShardRecord(db), backbones, heads, slideIds };
  } catch (err) {
    db.close();
    throw new HistoError('BAD_INPUT', `${resolved}: cannot read shard (${(err as Error).message})`);
  }
}
