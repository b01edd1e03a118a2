import type Database from 'better-sqlite3';

/** The project's key/value facts: when and by which version it was made, its default backbone, shard and merge records. */
export class ProjectMetaRepo {
  constructor(private readonly db: Database.Database) {}

  /** Adds a key the project does not have yet (a new project's first facts). */
  insert(key: string, value: string): void {
    this.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?)').run(key, value);
  }

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM project_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Writes a key, replacing its value. */
  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Writes a key only when it has no value yet (the first value stays). */
  setIfAbsent(key: string, value: string): void {
    this.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
  }

  all(): Map<string, string> {
    return new Map((this.db.prepare('SELECT key, value FROM project_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
  }
}
