import type { ProjectStore } from '../project-store';
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

export function listHeads(store: ProjectStore): HeadListing[] {
  return (store.db.prepare(`${selectHeads} ORDER BY h.id`).all() as HeadRow[]).map(listing);
}

/** A stored head, its listing and the full training summary (folds, curves, threshold). */
export function loadHead(store: ProjectStore, id: number): { listing: HeadListing; head: Head; summary: Record<string, unknown> } {
  const row = store.db.prepare(`${selectHeads} WHERE h.id = ?`).get(id) as HeadRow | undefined;
  if (!row) throw new HistoError('NOT_FOUND', `no head ${id} in this project`);
  const weights = store.db.prepare('SELECT weights FROM heads WHERE id = ?').get(id) as { weights: Buffer };
  return {
    listing: listing(row),
    head: deserializeHead(new Uint8Array(weights.weights.buffer, weights.weights.byteOffset, weights.weights.byteLength)),
    summary: JSON.parse(row.metrics_json) as Record<string, unknown>,
  };
}
