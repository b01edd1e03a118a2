import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { undoReview } from '../prediction/review';

/** Review undo: the tile's latest decision is taken back (issue 14). */
export function reviewUndoHandlers(core: CoreContext): Pick<Handlers, 'review.undo'> {
  return {
    'review.undo': ({ head, tileId }) => undoReview(core.requireProject(), head, tileId),
  };
}
