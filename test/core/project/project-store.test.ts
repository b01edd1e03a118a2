import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { NEW_PROJECT_PAGE_SIZE, ProjectStore } from '../../../src-main/core/project/project-store';
import { latestSchemaVersion, migrations } from '../../../src-main/core/project/migrations';
import { PROJECT_APPLICATION_ID } from '../../../src-main/core/project/project-file-check';
import { HistoError } from '../../../src-main/core/errors';
import { fileDigest } from '../../helpers/file-digest';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

function expectRefused(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HistoError);
    expect((err as HistoError).code).toBe(code);
    expect((err as HistoError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a refusal');
}

describe('ProjectStore', () => {
  it('creates a project with the full schema, WAL and foreign keys', () => {
    const file = path.join(tempDir(), 'p.histo');
    const store = ProjectStore.create(file);
    try {
      expect(store.schemaVersion).toBe(latestSchemaVersion);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(store.db.pragma('application_id', { simple: true })).toBe(PROJECT_APPLICATION_ID);
      // Large pages: a stored vector block spans a few pages, not a hundred (issue 15).
      expect(store.db.pragma('page_size', { simple: true })).toBe(NEW_PROJECT_PAGE_SIZE);
      const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
      for (const table of ['slides', 'tiles', 'tilings', 'backbones', 'embeddings', 'tasks', 'labels', 'heads', 'predictions', 'audit_log']) {
        expect(tables).toContain(table);
      }
      const audit = store.db.prepare('SELECT action, app_version FROM audit_log').all();
      expect(audit).toEqual([{ action: 'project.create', app_version: expect.any(String) }]);
      expect(store.summary()).toMatchObject({ path: file, schemaVersion: latestSchemaVersion, counts: { slides: 0, heads: 0 } });
    } finally {
      store.close();
    }
  });

  it('enforces foreign keys', () => {
    const store = ProjectStore.create(path.join(tempDir(), 'fk.histo'));
    try {
      expect(() =>
        store.db.prepare("INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (999, 0, 0, 224, 224, 1)").run(),
      ).toThrow(/FOREIGN KEY/);
    } finally {
      store.close();
    }
  });

  it('reopens a project and keeps its data', () => {
    const file = path.join(tempDir(), 'p.histo');
    const first = ProjectStore.create(file);
    first.db.prepare("INSERT INTO tasks (name, classes_json, created_at) VALUES ('mitosis', '[\"a\",\"b\"]', 'now')").run();
    first.close();
    const again = ProjectStore.open(file);
    try {
      expect(again.summary().counts.tasks).toBe(1);
    } finally {
      again.close();
    }
  });

  it('migrates a file of an older schema forward inside one transaction', () => {
    const file = path.join(tempDir(), 'old.histo');
    // A file as version 0 of the app would have left it: marked as ours, no schema yet.
    const raw = new Database(file);
    raw.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    raw.exec('CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
    raw.close();
    // Migration 1 creates project_meta too, so it fails midway: the transaction must leave nothing behind.
    expect(() => ProjectStore.open(file)).toThrow(/already exists/);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(0);
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'slides'").get()).toEqual({ n: 0 });
    check.close();

    const clean = path.join(tempDir(), 'v0.histo');
    const v0 = new Database(clean);
    v0.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    v0.close();
    const store = ProjectStore.open(clean);
    try {
      expect(store.schemaVersion).toBe(migrations.at(-1)!.version);
      expect(store.summary().counts.slides).toBe(0);
    } finally {
      store.close();
    }
  });

  it('refuses a project from a newer version and leaves it untouched', () => {
    const file = path.join(tempDir(), 'future.histo');
    const raw = new Database(file);
    raw.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
    raw.exec('CREATE TABLE something_new (x INTEGER)');
    raw.pragma(`user_version = ${latestSchemaVersion + 5}`);
    raw.close();
    const before = fileDigest(file);
    expectRefused(() => ProjectStore.open(file), 'PROJECT_REFUSED', /newer version.*left untouched/);
    expect(fileDigest(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a foreign SQLite database and leaves it untouched', () => {
    const file = path.join(tempDir(), 'other-app.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE customers (name TEXT)');
    raw.close();
    const before = fileDigest(file);
    expectRefused(() => ProjectStore.open(file), 'PROJECT_REFUSED', /not a Histo Workstation project/);
    expect(fileDigest(file)).toBe(before);
  });

  it.each([
    ['a text file', 'hello, I am not a database\n'],
    ['an empty file', ''],
    ['a truncated SQLite header', 'SQLite form'],
  ])('refuses %s by name', (_label, content) => {
    const file = path.join(tempDir(), 'x.histo');
    fs.writeFileSync(file, content);
    expectRefused(() => ProjectStore.open(file), 'PROJECT_REFUSED', new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a`));
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
  });

  it('reports a missing file and refuses to overwrite on create', () => {
    const dir = tempDir();
    expectRefused(() => ProjectStore.open(path.join(dir, 'none.histo')), 'NOT_FOUND', /no such project file/);
    const existing = path.join(dir, 'keep.txt');
    fs.writeFileSync(existing, 'precious');
    expectRefused(() => ProjectStore.create(existing), 'ALREADY_EXISTS', /already exists/);
    expect(fs.readFileSync(existing, 'utf8')).toBe('precious');
    expectRefused(() => ProjectStore.create(path.join(dir, 'no-such-dir', 'p.histo')), 'NOT_FOUND', /folder does not exist/);
  });
});
