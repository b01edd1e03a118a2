/**
 * Search and the study map (issue 18): labels may come from search results or a map lasso, and
 * each backbone keeps its latest 2-D map. SQLite cannot alter a CHECK constraint, so the labels
 * table is rebuilt with its rows (nothing references it by foreign key).
 */
export const searchAndMapSchema = /* sql */ `
CREATE TABLE labels_new (
  id          INTEGER PRIMARY KEY,
  task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  tile_id     INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  class_name  TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('import', 'viewer', 'review', 'search', 'map')),
  author      TEXT,
  created_at  TEXT NOT NULL,
  UNIQUE (task_id, tile_id)
) STRICT;
INSERT INTO labels_new (id, task_id, tile_id, class_name, source, author, created_at)
  SELECT id, task_id, tile_id, class_name, source, author, created_at FROM labels;
DROP TABLE labels;
ALTER TABLE labels_new RENAME TO labels;

-- The latest 2-D map of a backbone's view-0 vectors: tile ids (int32) and x, y pairs (float32),
-- little-endian BLOBs, row i of coords belonging to tile_ids[i].
CREATE TABLE embedding_maps (
  backbone_id  INTEGER PRIMARY KEY REFERENCES backbones(id) ON DELETE CASCADE,
  method       TEXT NOT NULL,
  params_json  TEXT NOT NULL,
  tile_count   INTEGER NOT NULL CHECK (tile_count >= 0),
  tile_ids     BLOB NOT NULL,
  coords       BLOB NOT NULL,
  seconds      REAL NOT NULL,
  created_at   TEXT NOT NULL
) STRICT;
`;
