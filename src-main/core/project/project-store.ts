import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ProjectSummary } from '../../../src-shared/contract';
import { appVersion } from '../app-version';
import { HistoError } from '../errors';
import { migrations } from './migrations';
import { assertOpenableProject, PROJECT_APPLICATION_ID } from './project-file-check';
import { recordAudit } from './audit-log';
import { DEFAULT_PROJECT_BACKBONE } from '../backbones/default-backbone';

/** One open project: one SQLite file in WAL mode. */
export class ProjectStore {
  private constructor(
    readonly path: string,
    readonly db: Database.Database,
  ) {}

  /** Creates a new project file; refuses to touch a file that already exists. */
  static create(file: string): ProjectStore {
    const resolved = path.resolve(file);
    if (fs.existsSync(resolved)) {
      throw new HistoError('ALREADY_EXISTS', `${resolved}: already exists; open it instead, or choose a new file name`);
    }
    const dir = path.dirname(resolved);
    if (!fs.existsSync(dir)) throw new HistoError('NOT_FOUND', `${dir}: folder does not exist`);
    let db: Database.Database;
    try {
      db = new Database(resolved);
    } catch (err) {
      throw new HistoError('BAD_INPUT', `${resolved}: cannot create project file (${(err as Error).message})`);
    }
    try {
      db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
      const store = new ProjectStore(resolved, db);
      store.configure();
      store.migrate();
      db.transaction(() => {
        const insert = db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?)');
        insert.run('created_at', new Date().toISOString());
        insert.run('created_by_version', appVersion);
        insert.run('default_backbone', DEFAULT_PROJECT_BACKBONE);
        recordAudit(db, 'project.create', { path: resolved });
      })();
      return store;
    } catch (err) {
      db.close();
      fs.rmSync(resolved, { force: true });
      fs.rmSync(`${resolved}-wal`, { force: true });
      fs.rmSync(`${resolved}-shm`, { force: true });
      throw err;
    }
  }

  /** Opens an existing project, migrating it forward; refuses foreign or newer files untouched. */
  static open(file: string): ProjectStore {
    const resolved = path.resolve(file);
    assertOpenableProject(resolved);
    const db = new Database(resolved, { fileMustExist: true });
    const store = new ProjectStore(resolved, db);
    try {
      store.configure();
      store.migrate();
    } catch (err) {
      db.close();
      throw err;
    }
    return store;
  }

  private configure(): void {
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Applies every pending migration in one transaction, so a crash leaves the old schema intact. */
  private migrate(): void {
    const current = this.schemaVersion;
    const pending = migrations.filter((m) => m.version > current);
    if (pending.length === 0) return;
    this.db.transaction(() => {
      for (const migration of pending) {
        this.db.exec(migration.sql);
        this.db.pragma(`user_version = ${migration.version}`);
      }
    })();
  }

  summary(): ProjectSummary {
    const meta = new Map(
      (this.db.prepare('SELECT key, value FROM project_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]),
    );
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      path: this.path,
      schemaVersion: this.schemaVersion,
      createdAt: meta.get('created_at') ?? '',
      appVersion: meta.get('created_by_version') ?? '',
      defaultBackbone: meta.get('default_backbone') ?? null,
      counts: { slides: count('slides'), backbones: count('backbones'), tasks: count('tasks'), heads: count('heads') },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
