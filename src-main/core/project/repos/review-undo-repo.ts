import type Database from 'better-sqlite3';

export type StoredDecision = 'accept' | 'reject' | 'relabel';

/** A tile's state in a task before a review decision: its decision and its label (null: none). */
export interface ReviewState {
  decision: StoredDecision | null;
  label: { className: string; source: string; author: string | null; createdAt: string } | null;
}

/** What a review decision replaced, kept on its row (migration 006) so that it can be undone. */
export class ReviewUndoRepo {
  constructor(private readonly db: Database.Database) {}

  /** The tile's decision for the head and its label in the task, as they are now. */
  current(headId: number, taskId: number, tileId: number): ReviewState {
    const decision = this.db.prepare('SELECT decision FROM review_decisions WHERE head_id = ? AND tile_id = ?').get(headId, tileId) as { decision: StoredDecision } | undefined;
    const label = this.db.prepare('SELECT class_name AS className, source, author, created_at AS createdAt FROM labels WHERE task_id = ? AND tile_id = ?').get(taskId, tileId) as
      | ReviewState['label']
      | undefined;
    return { decision: decision?.decision ?? null, label: label ?? null };
  }

  /** Records on the tile's (just written) decision row the state it replaced. */
  remember(headId: number, tileId: number, before: ReviewState): void {
    this.db
      .prepare('UPDATE review_decisions SET previous_decision = ?, previous_label = ?, previous_source = ?, previous_author = ? WHERE head_id = ? AND tile_id = ?')
      .run(before.decision, before.label?.className ?? null, before.label?.source ?? null, before.label?.author ?? null, headId, tileId);
  }

  /** The state the tile's latest decision replaced; undefined when the tile has no decision. */
  previous(headId: number, tileId: number): ReviewState | undefined {
    const row = this.db
      .prepare('SELECT previous_decision AS decision, previous_label AS className, previous_source AS source, previous_author AS author, created_at AS createdAt FROM review_decisions WHERE head_id = ? AND tile_id = ?')
      .get(headId, tileId) as { decision: StoredDecision | null; className: string | null; source: string | null; author: string | null; createdAt: string } | undefined;
    if (!row) return undefined;
    return { decision: row.decision, label: row.className === null ? null : { className: row.className, source: row.source ?? 'review', author: row.author, createdAt: row.createdAt } };
  }

  /**
   * Puts the tile back as it was: the earlier decision (which keeps no history of its own, so a
   * second undo of the same tile removes it) or none, and the earlier label or none.
   */
  restore(headId: number, taskId: number, tileId: number, state: ReviewState): void {
    if (state.decision === null) this.db.prepare('DELETE FROM review_decisions WHERE head_id = ? AND tile_id = ?').run(headId, tileId);
    else {
      this.db
        .prepare('UPDATE review_decisions SET decision = ?, class_name = ?, previous_decision = NULL, previous_label = NULL, previous_source = NULL, previous_author = NULL WHERE head_id = ? AND tile_id = ?')
        .run(state.decision, state.label?.className ?? null, headId, tileId);
    }
    if (state.label === null) this.db.prepare('DELETE FROM labels WHERE task_id = ? AND tile_id = ?').run(taskId, tileId);
    else {
      this.db
        .prepare(
          `INSERT INTO labels (task_id, tile_id, class_name, source, author, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (task_id, tile_id) DO UPDATE SET class_name = excluded.class_name, source = excluded.source, author = excluded.author, created_at = excluded.created_at`,
        )
        .run(taskId, tileId, state.label.className, state.label.source, state.label.author, state.label.createdAt);
    }
  }
}
