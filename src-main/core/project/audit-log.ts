import type Database from 'better-sqlite3';
import { appVersion } from '../app-version';

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
