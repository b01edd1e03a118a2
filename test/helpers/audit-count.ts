import Database from 'better-sqlite3';

/** Rows in a project's audit log, read without touching the file: to prove a call had no effect. */
export function auditCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
