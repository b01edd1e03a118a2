import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HistoError } from '../../../src-main/core/errors';
import { migrations, type Migration } from '../../../src-main/core/project/migrations';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { fileDigest } from '../../helpers/file-digest';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

/** A project at today's schema holding one recognisable value. */
function currentProject(dir: string): string {
  const file = path.join(dir, 'lab.histo');
  const store = ProjectStore.create(file);
  store.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?)').run('marker', 'before-upgrade');
  store.close();
  return file;
}

const latest = migrations.at(-1)!.version;
const step = (version: number, sql: string): Migration => ({ version, name: `test-${version}`, sql });

function readOnly<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('upgrading a project schema', () => {
  it('backs up to NAME.histo.bak-vN with the backup API, upgrades, and keeps only the last backup', () => {
    const dir = tempDir();
    const file = currentProject(dir);
    const newer = [...migrations, step(latest + 1, 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);')];

    const upgraded = ProjectStore.open(file, { migrations: newer });
    expect(upgraded.schemaVersion).toBe(latest + 1);
    upgraded.db.prepare('INSERT INTO notes (text) VALUES (?)').run('after');
    upgraded.close();

    const backup = `${file}.bak-v${latest}`;
    expect(fs.existsSync(backup)).toBe(true);
    expect(readOnly(backup, (db) => [db.pragma('user_version', { simple: true }), db.pragma('integrity_check', { simple: true })])).toEqual([latest, 'ok']);
    expect(readOnly(backup, (db) => db.prepare("SELECT value FROM project_meta WHERE key = 'marker'").get())).toEqual({ value: 'before-upgrade' });
    expect(readOnly(backup, (db) => db.prepare("SELECT name FROM sqlite_master WHERE name = 'notes'").get())).toBeUndefined();

    // The next upgrade backs up the newer schema and drops the older copy.
    const newest = [...newer, step(latest + 2, 'ALTER TABLE notes ADD COLUMN author TEXT;')];
    ProjectStore.open(file, { migrations: newest }).close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.bak-v')).sort()).toEqual([`lab.histo.bak-v${latest + 1}`]);
    expect(readOnly(`${file}.bak-v${latest + 1}`, (db) => db.prepare('SELECT text FROM notes').all())).toEqual([{ text: 'after' }]);
  });

  it('a failing migration leaves the original byte-identical, and the error names the backup', () => {
    const dir = tempDir();
    const file = currentProject(dir);
    const before = fileDigest(file);
    const broken = [...migrations, step(latest + 1, 'CREATE TABLE notes (id INTEGER PRIMARY KEY); INSERT INTO no_such_table VALUES (1);')];

    let error: unknown;
    try {
      ProjectStore.open(file, { migrations: broken }).close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HistoError);
    expect((error as HistoError).code).toBe('PROJECT_REFUSED');
    expect((error as HistoError).message).toBe(
      `${file}: upgrade from schema ${latest} to ${latest + 1} failed (no such table: no_such_table); the project is unchanged, and a copy from before the upgrade is at ${file}.bak-v${latest}`,
    );
    expect(fileDigest(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    // Still a working project at the old schema.
    const reopened = ProjectStore.open(file);
    expect(reopened.schemaVersion).toBe(latest);
    reopened.close();
  });
});
