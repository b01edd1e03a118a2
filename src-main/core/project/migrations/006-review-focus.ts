/**
 * Multi-class review (issue 14): a task says whether it counts objects (detection-style tasks,
 * where "called tiles per mm²" means something; tissue typing does not), and a review decision
 * remembers what it replaced, so that Review can undo it: the decision before it and the tile's
 * label before it (class, source, author; all null where there was none).
 */
export const reviewFocusSchema = /* sql */ `
ALTER TABLE tasks ADD COLUMN detection INTEGER NOT NULL DEFAULT 0 CHECK (detection IN (0, 1));
ALTER TABLE review_decisions ADD COLUMN previous_decision TEXT CHECK (previous_decision IN ('accept', 'reject', 'relabel'));
ALTER TABLE review_decisions ADD COLUMN previous_label TEXT;
ALTER TABLE review_decisions ADD COLUMN previous_source TEXT;
ALTER TABLE review_decisions ADD COLUMN previous_author TEXT;
`;
