import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HistoError } from '../errors';
import { assertOpenableProject } from '../project/project-file-check';
import { readShardRecord, type ShardRecord } from '../cluster/shard-record';

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
    const backbones = db.prepare('SELECT * FROM backbones WHERE id IN (SELECT DISTINCT backbone_id FROM embeddings) ORDER BY id').all() as ShardBackbone[];
    const heads = (db.prepare('SELECT id, kind, params_json, weights FROM heads WHERE id IN (SELECT DISTINCT head_id FROM predictions) ORDER BY id').all() as Array<{ id: number; kind: string; params_json: string; weights: Buffer }>).map(
      (h) => ({ id: h.id, identity: headIdentity(h) }),
    );
    const slideIds = (db.prepare('SELECT id FROM slides ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id);
    return { file: resolved, db, record: readShardRecord(db), backbones, heads, slideIds };
  } catch (err) {
    db.close();
    throw new HistoError('BAD_INPUT', `${resolved}: cannot read shard (${(err as Error).message})`);
  }
}

/** Column names of a table, so rows copy across schema versions that add columns. */
export function columnsOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
}
