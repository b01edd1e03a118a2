import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const sourceRoot = path.join(root, 'src-main');

/** Where SQL belongs: one repo per table, and the schema steps. */
const SQL_HOMES = ['src-main/core/project/repos/', 'src-main/core/project/migrations/'];

/** Single lines that talk to SQLite below the level of tables, each with the reason it stays. */
const CONNECTION_LEVEL = [
  // The migration runner applies the schema steps' own SQL inside its transaction.
  { file: 'src-main/core/project/project-store.ts', line: 'this.db.exec(migration.sql)' },
  // Takes and drops the exclusive lock to prove the file is not held elsewhere; touches no table.
  { file: 'src-main/core/project/shared-storage.ts', line: "db.exec('BEGIN EXCLUSIVE; COMMIT')" },
  // A scan's helper thread prepares the block read that EmbeddingsRepo hands it; it writes no SQL of its own.
  { file: 'src-main/core/embeddings/block-decode-helper.ts', line: 'read = db.prepare(sql).raw();' },
];

/** Statement calls on a connection, and SQL keywords as written in query strings (upper case). */
const SQL_PATTERNS = [
  /\.prepare\s*\(/,
  /\b(db|database)\s*\.\s*exec\s*\(/,
  /\bSELECT\s+(\*|\w|count\(|DISTINCT)/,
  /\bINSERT\s+(OR\s+\w+\s+)?INTO\b/,
  /\bUPDATE\s+\w+\s+SET\b/,
  /\bDELETE\s+FROM\b/,
  /\b(CREATE|DROP)\s+(UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b/,
  /\bALTER\s+TABLE\b/,
  /\bPRAGMA\s+\w+\s*\(/,
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|cts|vue)$/.test(entry.name) ? [full] : [];
  });
}

const isComment = (line: string) => /^\s*(\/\/|\*|\/\*)/.test(line);

/** file:line and the line, for every SQL string or statement call outside repos/ and migrations/. */
function sqlOutsideRepos(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(sourceRoot)) {
    const relative = path.relative(root, file).split(path.sep).join('/');
    if (SQL_HOMES.some((home) => relative.startsWith(home))) continue;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (isComment(line) || !SQL_PATTERNS.some((pattern) => pattern.test(line))) return;
        if (CONNECTION_LEVEL.some((allowed) => allowed.file === relative && line.includes(allowed.line))) return;
        found.push(`${relative}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  return found;
}

describe('SQL lives behind repos', () => {
  it('has no SQL string or statement call outside project/repos/ and project/migrations/', () => {
    expect(sqlOutsideRepos()).toEqual([]);
  });

  it('recognises the SQL it is meant to refuse', () => {
    const samples = ["db.prepare('x')", 'this.db.exec(sql)', '`SELECT id FROM slides`', "'INSERT OR IGNORE INTO tiles'", 'UPDATE slides SET path', 'DELETE FROM labels', 'CREATE INDEX i', "PRAGMA table_info(x)"];
    for (const sample of samples) expect(SQL_PATTERNS.some((pattern) => pattern.test(sample)), sample).toBe(true);
    // A regular expression's exec and plain words in messages are not SQL.
    for (const sample of ['/a(b)/.exec(text)', "'select a backbone first'", 'update the slide list']) {
      expect(SQL_PATTERNS.some((pattern) => pattern.test(sample)), sample).toBe(false);
    }
  });

  it('keeps every allowlisted file present, so the list cannot outlive its reason', () => {
    for (const entry of CONNECTION_LEVEL.map((c) => c.file)) expect(fs.existsSync(path.join(root, entry)), entry).toBe(true);
  });
});
