import type Database from 'better-sqlite3';
import { HistoError } from '../../errors';
import { deserializeHead, type Head } from '../../heads/head';

export interface HeadListing {
  id: number;
  task: string;
  taskId: number;
  backbone: string;
  backboneId: number;
  kind: string;
  params: Record<string, unknown>;
  seed: number;
  metrics: Record<string, number | null>;
  metricsStd: Record<string, number | null>;
  classes: string[];
  trainSeconds: number;
  createdAt: string;
}

interface HeadRow {
  id: number;
  task: string;
  task_id: number;
  backbone: string;
  backbone_id: number;
  kind: string;
  params_json: string;
  seed: number;
  metrics_json: string;
  train_seconds: number;
  created_at: string;
}

const selectHeads = `SELECT h.id, t.name AS task, h.task_id, b.name AS backbone, h.backbone_id, h.kind, h.params_json, h.seed, h.metrics_json, h.train_seconds, h.created_at
  FROM heads h JOIN tasks t ON t.id = h.task_id JOIN backbones b ON b.id = h.backbone_id`;

function listing(row: HeadRow): HeadListing {
  const summary = JSON.parse(row.metrics_json) as { metrics: Record<string, number | null>; metricsStd: Record<string, number | null>; classes: string[] };
  return {
    id: row.id,
    task: row.task,
    taskId: row.task_id,
    backbone: row.backbone,
    backboneId: row.backbone_id,
    kind: row.kind,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    seed: row.seed,
    metrics: summary.metrics,
    metricsStd: summary.metricsStd,
    classes: summary.classes,
    trainSeconds: row.train_seconds,
    createdAt: row.created_at,
  };
}

/** A head's identity columns as stored, for telling equal models apart across project files. */
export interface HeadModelRow {
  id: number;
  kind: string;
  params_json: string;
  weights: Buffer;
}

export interface NewHead {
  taskId: number;
  backboneId: number;
  kind: string;
  paramsJson: string;
  seed: number;
  /** The full training summary (metrics, folds, curves, threshold) as JSON. */
  summaryJson: string;
  trainSeconds: number;
  weights: Buffer;
}

/** Trained heads: their listing, weights and training summary. */
export class HeadsRepo {
  constructor(private readonly db: Database.Database) {}

  insert(head: NewHead): number {
    const inserted = this.db
      .prepare('INSERT INTO heads (task_id, backbone_id, kind, params_json, seed, metrics_json, train_seconds, weights, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(head.taskId, head.backboneId, head.kind, head.paramsJson, head.seed, head.summaryJson, head.trainSeconds, head.weights, new Date().toISOString());
    return Number(inserted.lastInsertRowid);
  }

  list(): HeadListing[] {
    return (this.db.prepare(`${selectHeads} ORDER BY h.id`).all() as HeadRow[]).map(listing);
  }

  /** A stored head, its listing and the full training summary (folds, curves, threshold). */
  load(id: number): { listing: HeadListing; head: Head; summary: Record<string, unknown> } {
    const row = this.db.prepare(`${selectHeads} WHERE h.id = ?`).get(id) as HeadRow | undefined;
    if (!row) throw new HistoError('NOT_FOUND', `no head ${id} in this project`);
    const weights = this.db.prepare('SELECT weights FROM heads WHERE id = ?').get(id) as { weights: Buffer };
    return {
      listing: listing(row),
      head: deserializeHead(new Uint8Array(weights.weights.buffer, weights.weights.byteOffset, weights.weights.byteLength)),
      summary: JSON.parse(row.metrics_json) as Record<string, unknown>,
    };
  }

  /** Every head's identity columns. */
  modelRows(): HeadModelRow[] {
    return this.db.prepare('SELECT id, kind, params_json, weights FROM heads ORDER BY id').all() as HeadModelRow[];
  }

  /** Identity columns of the heads that have predictions in this project. */
  modelRowsWithPredictions(): HeadModelRow[] {
    return this.db.prepare('SELECT id, kind, params_json, weights FROM heads WHERE id IN (SELECT DISTINCT head_id FROM predictions) ORDER BY id').all() as HeadModelRow[];
  }
}
