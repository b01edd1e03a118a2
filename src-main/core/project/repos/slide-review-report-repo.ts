import type Database from 'better-sqlite3';

/** How a head's predictions on one slide were tiled: tile size in pixels and the tiling's µm/px (or level). */
export interface PredictedTiling {
  tileSize: number;
  mpp: number | null;
  level: number | null;
  tiles: number;
}

/** The review of a head's predictions on one slide: decisions by kind and who made them. */
export interface SlideReviewRecord {
  accepted: number;
  rejected: number;
  relabelled: number;
  reviewers: string[];
  lastDecisionAt: string | null;
}

/** What a slide report reads beyond the predictions: the tiling they were made on and their review. */
export class SlideReviewReportRepo {
  constructor(private readonly db: Database.Database) {}

  /** The tilings a head's predictions on the slide came from, most tiles first. */
  predictedTilings(headId: number, slideId: number): PredictedTiling[] {
    return this.db
      .prepare(
        `SELECT g.tile_size AS tileSize, g.target_mpp AS mpp, g.level AS level, count(*) AS tiles
         FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id
         WHERE p.head_id = ? AND g.slide_id = ? GROUP BY g.id ORDER BY tiles DESC`,
      )
      .all(headId, slideId) as PredictedTiling[];
  }

  /** The slide's µm/px as the project holds it (a user's override included); null when unknown. */
  slideMpp(slideId: number): number | null {
    const row = this.db.prepare('SELECT mpp_x AS mppX FROM slides WHERE id = ?').get(slideId) as { mppX: number | null } | undefined;
    return row?.mppX ?? null;
  }

  reviewOf(headId: number, slideId: number): SlideReviewRecord {
    const rows = this.db
      .prepare(
        `SELECT r.decision, r.author, r.created_at AS createdAt
         FROM review_decisions r JOIN tiles t ON t.id = r.tile_id JOIN tilings g ON g.id = t.tiling_id
         WHERE r.head_id = ? AND g.slide_id = ?`,
      )
      .all(headId, slideId) as Array<{ decision: 'accept' | 'reject' | 'relabel'; author: string | null; createdAt: string }>;
    const record: SlideReviewRecord = { accepted: 0, rejected: 0, relabelled: 0, reviewers: [], lastDecisionAt: null };
    const reviewers = new Set<string>();
    for (const row of rows) {
      if (row.decision === 'accept') record.accepted++;
      else if (row.decision === 'reject') record.rejected++;
      else record.relabelled++;
      if (row.author) reviewers.add(row.author);
      if (record.lastDecisionAt === null || row.createdAt > record.lastDecisionAt) record.lastDecisionAt = row.createdAt;
    }
    record.reviewers = [...reviewers].sort();
    return record;
  }
}
