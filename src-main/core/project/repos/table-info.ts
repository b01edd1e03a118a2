import type Database from 'better-sqlite3';

/** Row count of a table (the project summary's counts); `table` is one of our own names, never user input. */
export function rowCount(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Column names of a table, so rows copy across schema versions that add columns. */
export function columnsOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
}

/** Inserts one row by column names (a row copied from another project file); returns its id. */
export function insertRow(db: Database.Database, table: string, columns: readonly string[]): (values: unknown[]) => number {
  const write = rowWriter(db, table, columns);
  return (values) => Number(write(values).lastInsertRowid);
}

/**
 * Writes one row by column names, with an optional conflict clause (`ON CONFLICT ... DO NOTHING`):
 * `changes` tells whether it was written, `lastInsertRowid` its id.
 */
export function rowWriter(db: Database.Database, table: string, columns: readonly string[], conflict = ''): (values: unknown[]) => Database.RunResult {
  const statement = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${conflict ? ` ${conflict}` : ''}`);
  return (values) => statement.run(...values);
}
