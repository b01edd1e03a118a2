import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import { undoReview } from '../prediction/review';

/** Review undo: the tile's latest decision is taken back (issue 14). */
export function reviewUndoHandlers(core: HistoCore): Pick<Handlers, 'review.undo'> {
  return {
    'review.undo': ({ head, tileId }) => undoReview(core.requireProject(), head, tileId),
  };
}
