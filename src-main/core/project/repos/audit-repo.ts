import type Database from 'better-sqlite3';
import { appVersion } from '../../app-version';

/** Appends one line to the project's audit trail; call it inside the transaction of the work it records. */
export function recordAudit(db: Database.Database, action: string, detail: Record<string, unknown>, modelSha256?: string): void {
  db.prepare('INSERT INTO audit_log (at, app_version, action, detail_json, model_sha256) VALUES (?, ?, ?, ?, ?)').run(
    new Date().toISOString(),
    appVersion,
    action,
    JSON.stringify(detail),
    modelSha256 ?? null,
  );
}

/** The audit trail, newest first, optionally of one action (or actions starting with `action.`). */
export function listAudit(db: Database.Database, options: { action?: string; limit: number }) {
  const filter = options.action ? 'WHERE action = ? OR action LIKE ?' : '';
  const params = options.action ? [options.action, `${options.action}.%`, options.limit] : [options.limit];
  const rows = db.prepare(`SELECT id, at, app_version, action, detail_json, model_sha256 FROM audit_log ${filter} ORDER BY id DESC LIMIT ?`).all(...params) as Array<{
    id: number;
    at: string;
    app_version: string;
    action: string;
    detail_json: string;
    model_sha256: string | null;
  }>;
  return rows.map((r) => ({ id: r.id, at: r.at, appVersion: r.app_version, action: r.action, detail: JSON.parse(r.detail_json) as Record<string, unknown>, modelSha256: r.model_sha256 }));
}
