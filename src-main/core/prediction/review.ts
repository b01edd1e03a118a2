import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/audit-log';
import { LabelsRepo } from '../labels/labels-repo';
import { HistoError } from '../errors';
import { loadHead } from '../training/heads-repo';
import { argmax, probabilitiesFromBlob } from './slide-predictions';
import { defaultThreshold, positiveClassOf } from './predict-slides';

export type ReviewMode = 'top' | 'uncertain';
export type ReviewDecision = 'accept' | 'reject' | 'relabel';

export interface ReviewItem {
  tileId: number;
  slideId: number;
  path: string;
  x: number;
  y: number;
  width: number;
  height: number;
  predicted: string;
  score: number;
  probs: number[];
  decision: ReviewDecision | null;
  label: string | null;
  /** Out-of-distribution percentile (heads/ood-reference.ts); null for heads without a reference. */
  ood: number | null;
}

/** A stored prediction joined with its tile, slide, decision and label: a ReviewItem before scoring. */
type PredictionRow = Omit<ReviewItem, 'predicted' | 'score' | 'probs'> & { probs: Buffer };


/**
 * Tiles to review for a head: the highest-scoring ones (where a pathologist checks the claims) or
 * the most uncertain ones (where a new label teaches the head most), undecided first.
 */
export function reviewQueue(
  store: ProjectStore,
  headId: number,
  options: { mode: ReviewMode; slideId?: number; limit: number; includeDecided?: boolean; threshold?: number },
): ReviewItem[] {
  const { head, summary, listing } = loadHead(store, headId);
  const positive = positiveClassOf(head.classes, summary);
  const threshold = options.threshold ?? defaultThreshold(summary);
  const rows = store.db
    .prepare(
      `SELECT t.id AS tileId, g.slide_id AS slideId, s.path, t.x, t.y, t.width, t.height, p.probs, r.decision, l.class_name AS label, o.percentile AS ood
       FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       LEFT JOIN review_decisions r ON r.head_id = p.head_id AND r.tile_id = p.tile_id
       LEFT JOIN labels l ON l.tile_id = p.tile_id AND l.task_id = ?
       LEFT JOIN prediction_ood o ON o.head_id = p.head_id AND o.tile_id = p.tile_id
       WHERE p.head_id = ? ${options.slideId !== undefined ? 'AND g.slide_id = ?' : ''}`,
    )
    .all(...([listing.taskId, headId, ...(options.slideId !== undefined ? [options.slideId] : [])] as number[])) as PredictionRow[];
  const items = rows
    .filter((r) => options.includeDecided || r.decision === null)
    .map((r) => {
      const probs = probabilitiesFromBlob(r.probs);
      const sorted = [...probs].sort((a, b) => b - a);
      // Binary: distance from the operating threshold; more classes: margin between the top two.
      const uncertainty = head.classes.length === 2 ? -Math.abs(probs[positive]! - threshold) : -(sorted[0]! - (sorted[1] ?? 0));
      return { row: r, probs, score: probs[positive]!, uncertainty };
    });
  items.sort((a, b) => (options.mode === 'top' ? b.score - a.score : b.uncertainty - a.uncertainty) || a.row.tileId - b.row.tileId);
  return items.slice(0, options.limit).map(({ row, probs, score }) => ({
    tileId: row.tileId,
    slideId: row.slideId,
    path: row.path,
    x: row.x,
    y: row.y,
    width: row.width,
    height: row.height,
    predicted: head.classes[argmax(probs)]!,
    score,
    probs: Array.from(probs),
    decision: row.decision,
    label: row.label,
    ood: row.ood,
  }));
}

/**
 * Records a review decision. Accepting or relabelling a tile makes it a label of the head's task
 * (source 'review'), so the next training uses it: the active-learning loop. Rejecting a binary
 * prediction labels the other class; rejecting among more classes only marks the tile reviewed.
 */
export function decideReview(store: ProjectStore, headId: number, tileId: number, decision: ReviewDecision, className: string | null, author: string | null) {
  const { head, listing } = loadHead(store, headId);
  const stored = store.db.prepare('SELECT probs FROM predictions WHERE head_id = ? AND tile_id = ?').get(headId, tileId) as { probs: Buffer } | undefined;
  if (!stored) throw new HistoError('NOT_FOUND', `head ${headId} has no prediction for tile ${tileId}`);
  const predicted = argmax(probabilitiesFromBlob(stored.probs));
  let label: string | null;
  if (decision === 'accept') label = head.classes[predicted]!;
  else if (decision === 'relabel') {
    if (!className || !head.classes.includes(className)) throw new HistoError('VALIDATION', `relabel needs one of the classes: ${head.classes.join(', ')}`);
    label = className;
  } else label = head.classes.length === 2 ? head.classes[1 - predicted]! : null;
  store.db.transaction(() => {
    store.db
      .prepare(
        `INSERT INTO review_decisions (head_id, tile_id, decision, class_name, author, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (head_id, tile_id) DO UPDATE SET decision = excluded.decision, class_name = excluded.class_name, author = excluded.author, created_at = excluded.created_at`,
      )
      .run(headId, tileId, decision, label, author, new Date().toISOString());
    if (label !== null) new LabelsRepo(store.db).upsertMany(listing.taskId, [{ tileId, className: label }], 'review', author);
    recordAudit(store.db, 'review', { headId, tileId, decision, label, predicted: head.classes[predicted] });
  })();
  return { tileId, decision, label };
}

/** Review progress per slide: tiles decided out of tiles predicted. */
export function reviewProgress(store: ProjectStore, headId: number) {
  return store.db
    .prepare(
      `SELECT g.slide_id AS slideId, s.path, count(*) AS predicted, count(r.id) AS reviewed,
              sum(CASE WHEN r.decision = 'accept' THEN 1 ELSE 0 END) AS accepted,
              sum(CASE WHEN r.decision = 'reject' THEN 1 ELSE 0 END) AS rejected,
              sum(CASE WHEN r.decision = 'relabel' THEN 1 ELSE 0 END) AS relabelled
       FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       LEFT JOIN review_decisions r ON r.head_id = p.head_id AND r.tile_id = p.tile_id
       WHERE p.head_id = ? GROUP BY g.slide_id ORDER BY g.slide_id`,
    )
    .all(headId) as Array<{ slideId: number; path: string; predicted: number; reviewed: number; accepted: number; rejected: number; relabelled: number }>;
}
