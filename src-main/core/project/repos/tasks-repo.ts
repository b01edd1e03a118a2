import type Database from 'better-sqlite3';
import { HistoError } from '../../errors';
import { recordAudit } from './audit-repo';

export interface StoredTask {
  id: number;
  name: string;
  classes: string[];
}

const CLASS_NAME = /^[\p{L}\p{N}][\p{L}\p{N} _.+()/-]{0,63}$/u;

/** A class name is shown in the UI, written to CSV/GeoJSON and used as a key: keep it plain. */
export function checkClassName(name: string, where: string): string {
  const trimmed = name.trim();
  if (!CLASS_NAME.test(trimmed)) {
    throw new HistoError('BAD_INPUT', `${where}: '${trimmed.slice(0, 80)}' is not a usable class name (letters, digits, space, _ . + ( ) / -; at most 64 characters)`);
  }
  return trimmed;
}

export class TasksRepo {
  constructor(private readonly db: Database.Database) {}

  create(name: string, classes: readonly string[]): StoredTask {
    const taskName = checkClassName(name, 'task name');
    const unique = [...new Set(classes.map((c) => checkClassName(c, `task ${taskName}`)))];
    if (unique.length < 2) throw new HistoError('VALIDATION', `task ${taskName}: give at least two classes`);
    if (this.find(taskName)) throw new HistoError('ALREADY_EXISTS', `a task named '${taskName}' already exists in this project`);
    const result = this.db.prepare('INSERT INTO tasks (name, classes_json, created_at) VALUES (?, ?, ?)').run(taskName, JSON.stringify(unique), new Date().toISOString());
    recordAudit(this.db, 'task.create', { name: taskName, classes: unique });
    return { id: Number(result.lastInsertRowid), name: taskName, classes: unique };
  }

  find(name: string): StoredTask | undefined {
    const row = this.db.prepare('SELECT id, name, classes_json FROM tasks WHERE name = ?').get(name) as { id: number; name: string; classes_json: string } | undefined;
    return row ? { id: row.id, name: row.name, classes: JSON.parse(row.classes_json) as string[] } : undefined;
  }

  require(name: string): StoredTask {
    const task = this.find(name);
    if (!task) {
      const known = this.list().map((t) => t.name).join(', ') || 'none';
      const problem = `no task '${name}' in this project (known: ${known})`;
      throw new HistoError('NOT_FOUND', `${problem}; create it under New task in Tasks & Labels`, { cli: `${problem}; create it with 'histo task create'` });
    }
    return task;
  }

  list(): StoredTask[] {
    return (this.db.prepare('SELECT id, name, classes_json FROM tasks ORDER BY id').all() as Array<{ id: number; name: string; classes_json: string }>).map((r) => ({
      id: r.id,
      name: r.name,
      classes: JSON.parse(r.classes_json) as string[],
    }));
  }
}
