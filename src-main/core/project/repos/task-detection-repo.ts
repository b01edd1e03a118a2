import type Database from 'better-sqlite3';

/** Whether a task counts objects (detection-style), which makes per-mm² densities meaningful. */
export class TaskDetectionRepo {
  constructor(private readonly db: Database.Database) {}

  isDetection(taskId: number): boolean {
    const row = this.db.prepare('SELECT detection FROM tasks WHERE id = ?').get(taskId) as { detection: number } | undefined;
    return row?.detection === 1;
  }

  setDetection(taskId: number, detection: boolean): void {
    this.db.prepare('UPDATE tasks SET detection = ? WHERE id = ?').run(detection ? 1 : 0, taskId);
  }

  /** Task ids that count objects, for listing many tasks at once. */
  detectionTaskIds(): Set<number> {
    return new Set((this.db.prepare('SELECT id FROM tasks WHERE detection = 1').all() as Array<{ id: number }>).map((r) => r.id));
  }
}
