import type Database from 'better-sqlite3';

export interface ComparisonRow {
  id: number;
  task: string;
  createdAt: string;
  /** JSON of the request (backbone names, head, folds, seed, downstream tasks). */
  request: string;
  /** JSON of the full comparison result. */
  result: string;
}

/** Stored backbone comparisons: what was asked and what came out, as JSON. */
export class ComparisonsRepo {
  constructor(private readonly db: Database.Database) {}

  insert(taskId: number, requestJson: string, resultJson: string): number {
    const inserted = this.db
      .prepare('INSERT INTO comparisons (task_id, request_json, result_json, created_at) VALUES (?, ?, ?, ?)')
      .run(taskId, requestJson, resultJson, new Date().toISOString());
    return Number(inserted.lastInsertRowid);
  }

  /** Newest first. */
  list(): ComparisonRow[] {
    return this.db
      .prepare('SELECT c.id, t.name AS task, c.created_at AS createdAt, c.request_json AS request, c.result_json AS result FROM comparisons c JOIN tasks t ON t.id = c.task_id ORDER BY c.id DESC')
      .all() as ComparisonRow[];
  }

  resultJson(id: number): string | undefined {
    const row = this.db.prepare('SELECT result_json FROM comparisons WHERE id = ?').get(id) as { result_json: string } | undefined;
    return row?.result_json;
  }
}
