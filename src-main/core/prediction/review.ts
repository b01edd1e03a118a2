import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { LabelsRepo } from '../project/repos/labels-repo';
import { HistoError } from '../errors';
import { HeadsRepo } from '../project/repos/heads-repo';
import { PredictionsRepo } from '../project/repos/predictions-repo';
import { ReviewDecisionsRepo, type ReviewRow } from '../project/repos/review-decisions-repo';
import { ReviewUndoRepo } from '../project/repos/review-undo-repo';
import { focusScore } from '../../../src-shared/domain/class-focus';
import { argmax, probabilitiesFromBlob } from './slide-predictions';
import { focusDefaultThreshold, resolveFocus } from './class-focus';

export type ReviewMode = 'top' | 'uncertain';
export type ReviewDecision = 'accept' | 'reject' | 'relabel';

export interface ReviewItem extends Omit<ReviewRow, 'probs'> {
  predicted: string;
  score: number;
  probs: number[];
}

/** A stored prediction joined with its tile, slide, decision and label: a ReviewItem before scoring. */
type PredictionRow = ReviewRow;

/**
 * Tiles to review for a head: the highest-scoring ones (where a pathologist checks the claims) or
 * the most uncertain ones (where a new label teaches the head most), undecided first. Scores are
 * about the class of interest (`focus`: a class, null for all classes, left out for the head's own).
 */
export function reviewQueue(
  store: ProjectStore,
  headId: number,
  options: { mode: ReviewMode; slideId?: number; limit: number; includeDecided?: boolean; threshold?: number; focus?: string | null },
): ReviewItem[] {
  const { head, summary, listing } = new HeadsRepo(store.db).load(headId);
  const focus = resolveFocus(head.classes, summary, options.focus);
  const threshold = options.threshold ?? focusDefaultThreshold(head.classes, summary, focus);
  const rows: PredictionRow[] = new ReviewDecisionsRepo(store.db).predictionsToReview(headId, listing.taskId, options.slideId);
  const items = rows
    .filter((r) => options.includeDecided || r.decision === null)
    .map((r) => {
      const probs = probabilitiesFromBlob(r.probs);
      const sorted = [...probs].sort((a, b) => b - a);
      // One class of interest: distance from its threshold; all classes: margin between the top two.
      const score = focusScore(probs, focus);
      const uncertainty = focus !== null ? -Math.abs(score - threshold) : -(sorted[0]! - (sorted[1] ?? 0));
      return { row: r, probs, score, uncertainty };
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
 * Relabelling to the predicted class is an accept, and is stored as one. The state the decision
 * replaces is kept with it, so that `undoReview` can restore it.
 */
export function decideReview(store: ProjectStore, headId: number, tileId: number, decision: ReviewDecision, className: string | null, author: string | null) {
  const { head, listing } = new HeadsRepo(store.db).load(headId);
  const stored = new PredictionsRepo(store.db).probsOf(headId, tileId);
  if (!stored) throw new HistoError('NOT_FOUND', `head ${headId} has no prediction for tile ${tileId}`);
  const predicted = argmax(probabilitiesFromBlob(stored));
  if (decision === 'relabel' && className === head.classes[predicted]) decision = 'accept';
  let label: string | null;
  if (decision === 'accept') label = head.classes[predicted]!;
  else if (decision === 'relabel') {
    if (!className || !head.classes.includes(className)) throw new HistoError('VALIDATION', `relabel needs one of the classes: ${head.classes.join(', ')}`);
    label = className;
  } else label = head.classes.length === 2 ? head.classes[1 - predicted]! : null;
  const undo = new ReviewUndoRepo(store.db);
  store.db.transaction(() => {
    const before = undo.current(headId, listing.taskId, tileId);
    new ReviewDecisionsRepo(store.db).upsert(headId, tileId, decision, label, author);
    undo.remember(headId, tileId, before);
    if (label !== null) new LabelsRepo(store.db).upsertMany(listing.taskId, [{ tileId, className: label }], 'review', author);
    recordAudit(store.db, 'review', { headId, tileId, decision, label, predicted: head.classes[predicted] });
  })();
  return { tileId, decision, label };
}

/** Takes back a tile's latest review decision: its earlier decision and label come back (or none). */
export function undoReview(store: ProjectStore, headId: number, tileId: number) {
  const { listing } = new HeadsRepo(store.db).load(headId);
  const undo = new ReviewUndoRepo(store.db);
  return store.db.transaction(() => {
    const previous = undo.previous(headId, tileId);
    if (!previous) throw new HistoError('NOT_FOUND', `tile ${tileId} has no review decision for head ${headId} to undo`);
    undo.restore(headId, listing.taskId, tileId, previous);
    recordAudit(store.db, 'review.undo', { headId, tileId, decision: previous.decision, label: previous.label?.className ?? null });
    return { tileId, decision: previous.decision, label: previous.label?.className ?? null };
  })();
}

/** Review progress per slide: tiles decided out of tiles predicted. */
export function reviewProgress(store: ProjectStore, headId: number) {
  return new ReviewDecisionsRepo(store.db).progress(headId);
}
