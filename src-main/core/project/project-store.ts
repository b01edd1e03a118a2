import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ProjectSummary } from '../../../src-shared/contract';
import { appVersion } from '../app-version';
import { HistoError } from '../errors';
import { migrations as schemaMigrations, type Migration } from './migrations';
import { assertOpenableProject, PROJECT_APPLICATION_ID } from './project-file-check';
import { recordAudit } from './repos/audit-repo';
import { ProjectMetaRepo } from './repos/project-meta-repo';
import { rowCount } from './repos/table-info';
import { configureJournal, refuseIfLockedElsewhere, type ProjectStorage } from './shared-storage';
import { configureSharedAccess } from './shared-access';
import { backupBeforeMigration } from './project-backup';
import { PatchSetsRepo } from './repos/patch-sets-repo';
import { DEFAULT_PROJECT_BACKBONE } from '../backbones/default-backbone';

/**
 * Page size of new project files. Stored vectors sit in BLOBs of ~0.5 MiB (a batch of 1024-d
 * float16) that SQLite chains over overflow pages: at 16 KiB a block is 32 page reads instead of
 * 128, which nearly doubled the read side of a scan (measured 0.55 -> 0.97M vectors per CPU
 * second) for 0.1% more file. 64 KiB read faster still (1.3M) but made an empty project 2.4 MB
 * and every small commit write 64 KiB pages. Only a new, empty file can take it: older projects
 * keep their 4 KiB pages and read as before.
 */
export const NEW_PROJECT_PAGE_SIZE = 16384;

/** One open project: one SQLite file in WAL mode (rollback journal, exclusively locked, on network storage). */
export class ProjectStore {
  /** How the file is journalled and locked, from the filesystem it is on (see shared-storage.ts). */
  storage: ProjectStorage = { network: false, fsType: null, journal: 'wal' };

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
      // Before anything writes the header: the page size is fixed once page 1 exists.
      db.pragma(`page_size = ${NEW_PROJECT_PAGE_SIZE}`);
      db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
      const store = new ProjectStore(resolved, db);
      store.configure();
      store.migrate();
      db.transaction(() => {
        const meta = new ProjectMetaRepo(db);
        meta.insert('created_at', new Date().toISOString());
        meta.insert('created_by_version', appVersion);
        meta.insert('default_backbone', DEFAULT_PROJECT_BACKBONE);
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

  /**
   * Opens an existing project, migrating it forward (after a backup); refuses foreign or newer
   * files untouched. `options.migrations` lets tests add schema steps.
   */
  static open(file: string, options: { migrations?: readonly Migration[] } = {}): ProjectStore {
    const resolved = path.resolve(file);
    const migrations = options.migrations ?? schemaMigrations;
    refuseIfLockedElsewhere(resolved, () => assertOpenableProject(resolved, migrations.at(-1)?.version));
    const db = new Database(resolved, { fileMustExist: true });
    const store = new ProjectStore(resolved, db);
    try {
      store.configure();
      store.migrate(migrations);
    } catch (err) {
      db.close();
      throw err;
    }
    return store;
  }

  private configure(): void {
    this.storage = configureJournal(this.db, this.path);
    this.db.pragma('foreign_keys = ON');
    configureSharedAccess(this.db);
    this.db.pragma('synchronous = NORMAL');
    // 64 MiB of page cache instead of 2: the indexes of millions of vectors and predictions are
    // walked for every slide, and each miss is a read from the OS.
    this.db.pragma('cache_size = -65536');
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Applies every pending migration in one transaction, so a crash or a failing step leaves the
   * old schema intact. A project that has a schema is first copied to NAME.histo.bak-vN.
   */
  private migrate(migrations: readonly Migration[] = schemaMigrations): void {
    const current = this.schemaVersion;
    const target = migrations.at(-1)?.version ?? current;
    if (target <= current) return;
    const backup = current > 0 ? backupBeforeMigration(this.path, current) : null;
    try {
      this.db.transaction(() => {
        // Read again under the write lock: another process may have upgraded it meanwhile.
        const now = this.schemaVersion;
        for (const migration of migrations.filter((m) => m.version > now)) {
          this.db.exec(migration.sql);
          migration.run?.(this.db);
          this.db.pragma(`user_version = ${migration.version}`);
        }
      })();
    } catch (err) {
      if (!backup) throw err;
      throw new HistoError(
        'PROJECT_REFUSED',
        `${this.path}: upgrade from schema ${current} to ${target} failed (${(err as Error).message}); the project is unchanged, and a copy from before the upgrade is at ${backup}`,
        { cause: err },
      );
    }
  }

  summary(): ProjectSummary {
    const meta = new ProjectMetaRepo(this.db).all();
    const count = (table: string) => rowCount(this.db, table);
    return {
      path: this.path,
      schemaVersion: this.schemaVersion,
      createdAt: meta.get('created_at') ?? '',
      appVersion: meta.get('created_by_version') ?? '',
      defaultBackbone: meta.get('default_backbone') ?? null,
      storage: this.storage,
      counts: { ...new PatchSetsRepo(this.db).counts(), backbones: count('backbones'), tasks: count('tasks'), heads: count('heads') },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
