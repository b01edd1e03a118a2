/**
 * Predictions stored for bulk writes (issue 15): the table keyed by (head, tile) itself, WITHOUT
 * ROWID, so storing a tile's probabilities writes one B-tree instead of a rowid table plus its
 * primary-key index (predicting a million tiles is mostly these INSERTs). Same columns, same
 * keys: readers do not change. Rows whose head or tile is gone (unreachable) are not carried over.
 */
export const predictionsWithoutRowidSchema = /* sql */ `
CREATE TABLE predictions_v7 (
  head_id  INTEGER NOT NULL REFERENCES heads(id) ON DELETE CASCADE,
  tile_id  INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  probs    BLOB NOT NULL,
  PRIMARY KEY (head_id, tile_id)
) STRICT, WITHOUT ROWID;
INSERT INTO predictions_v7 (head_id, tile_id, probs)
  SELECT p.head_id, p.tile_id, p.probs FROM predictions p JOIN heads h ON h.id = p.head_id JOIN tiles t ON t.id = p.tile_id ORDER BY p.head_id, p.tile_id;
DROP TABLE predictions;
ALTER TABLE predictions_v7 RENAME TO predictions;
`;
