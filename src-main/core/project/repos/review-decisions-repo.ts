import type Database from 'better-sqlite3';

/** A stored prediction joined with its tile, slide, review decision and label (in the head's task). */
export interface ReviewRow {
  tileId: number;
  slideId: number;
  path: string;
  x: number;
  y: number;
  width: number;
  height: number;
  probs: Buffer;
  decision: 'accept' | 'reject' | 'relabel' | null;
  label: string | null;
  /** Out-of-distribution percentile (heads/ood-reference.ts); null for heads without a reference. */
  ood: number | null;
}

export interface SlideReviewProgress {
  slideId: number;
  path: string;
  predicted: number;
  reviewed: number;
  accepted: number;
  rejected: number;
  relabelled: number;
}

/** A pathologist's decisions on a head's predictions, one per head and tile. */
export class ReviewDecisionsRepo {
  constructor(private readonly db: Database.Database) {}

  /** Every prediction of a head (of one slide, when given) with its decision and label. */
  predictionsToReview(headId: number, taskId: number, slideId?: number): ReviewRow[] {
    return this.db
      .prepare(
        `SELECT t.id AS tileId, g.slide_id AS slideId, s.path, t.x, t.y, t.width, t.height, p.probs, r.decision, l.class_name AS label, o.percentile AS ood
       FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       LEFT JOIN review_decisions r ON r.head_id = p.head_id AND r.tile_id = p.tile_id
       LEFT JOIN labels l ON l.tile_id = p.tile_id AND l.task_id = ?
       LEFT JOIN prediction_ood o ON o.head_id = p.head_id AND o.tile_id = p.tile_id
       WHERE p.head_id = ? ${slideId !== undefined ? 'AND g.slide_id = ?' : ''}`,
      )
      .all(...([taskId, headId, ...(slideId !== undefined ? [slideId] : [])] as number[])) as ReviewRow[];
  }

  /** Records (or replaces) the decision on one tile. */
  upsert(headId: number, tileId: number, decision: string, className: string | null, author: string | null): void {
    this.db
      .prepare(
        `INSERT INTO review_decisions (head_id, tile_id, decision, class_name, author, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (head_id, tile_id) DO UPDATE SET decision = excluded.decision, class_name = excluded.class_name, author = excluded.author, created_at = excluded.created_at`,
      )
      .run(headId, tileId, decision, className, author, new Date().toISOString());
  }

  /** Tiles decided out of tiles predicted, per slide. */
  progress(headId: number): SlideReviewProgress[] {
    return this.db
      .prepare(
        `SELECT g.slide_id AS slideId, s.path, count(*) AS predicted, count(r.id) AS reviewed,
              sum(CASE WHEN r.decision = 'accept' THEN 1 ELSE 0 END) AS accepted,
              sum(CASE WHEN r.decision = 'reject' THEN 1 ELSE 0 END) AS rejected,
              sum(CASE WHEN r.decision = 'relabel' THEN 1 ELSE 0 END) AS relabelled
       FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       LEFT JOIN review_decisions r ON r.head_id = p.head_id AND r.tile_id = p.tile_id
       WHERE p.head_id = ? GROUP BY g.slide_id ORDER BY g.slide_id`,
      )
      .all(headId) as SlideReviewProgress[];
  }
}
