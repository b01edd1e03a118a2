/**
 * The first schema. Later issues add tables and columns with further numbered migrations; this
 * text never changes once released, because user_version 1 must always mean exactly this.
 */
export const initialSchema = /* sql */ `
CREATE TABLE project_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- A slide file or a single patch image. The fingerprint is of the content, so a moved file is recognised.
CREATE TABLE slides (
  id              INTEGER PRIMARY KEY,
  path            TEXT NOT NULL,
  fingerprint     TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL DEFAULT 'slide' CHECK (kind IN ('slide', 'image')),
  format          TEXT NOT NULL,
  vendor          TEXT,
  width           INTEGER NOT NULL CHECK (width > 0),
  height          INTEGER NOT NULL CHECK (height > 0),
  mpp_x           REAL CHECK (mpp_x IS NULL OR mpp_x > 0),
  mpp_y           REAL CHECK (mpp_y IS NULL OR mpp_y > 0),
  mpp_source      TEXT,
  magnification   REAL,
  levels_json     TEXT NOT NULL,
  associated_json TEXT NOT NULL DEFAULT '[]',
  candidate_label TEXT,
  -- Per-slide facts from label files (patient, block, site, ...): the groups of grouped CV.
  meta_json       TEXT NOT NULL DEFAULT '{}',
  added_at        TEXT NOT NULL
) STRICT;

-- One way of cutting a slide into tiles; its tiles are reused by every backbone that needs the same cut.
CREATE TABLE tilings (
  id          INTEGER PRIMARY KEY,
  slide_id    INTEGER NOT NULL REFERENCES slides(id) ON DELETE CASCADE,
  tile_size   INTEGER NOT NULL CHECK (tile_size > 0),
  target_mpp  REAL,
  level       INTEGER,
  overlap     INTEGER NOT NULL DEFAULT 0,
  min_tissue  REAL NOT NULL DEFAULT 0,
  params_key  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  UNIQUE (slide_id, params_key)
) STRICT;

-- Coordinates and extents in level-0 pixels.
CREATE TABLE tiles (
  id         INTEGER PRIMARY KEY,
  tiling_id  INTEGER NOT NULL REFERENCES tilings(id) ON DELETE CASCADE,
  x          INTEGER NOT NULL,
  y          INTEGER NOT NULL,
  width      INTEGER NOT NULL,
  height     INTEGER NOT NULL,
  tissue     REAL NOT NULL,
  UNIQUE (tiling_id, x, y)
) STRICT;

CREATE TABLE backbones (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  file_path    TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  input_size   INTEGER NOT NULL CHECK (input_size > 0),
  mean_json    TEXT NOT NULL,
  std_json     TEXT NOT NULL,
  input_name   TEXT NOT NULL,
  output_name  TEXT NOT NULL,
  dim          INTEGER NOT NULL CHECK (dim > 0),
  source       TEXT,
  license      TEXT,
  builtin      INTEGER NOT NULL DEFAULT 0,
  added_at     TEXT NOT NULL
) STRICT;

-- One vector per tile x backbone x view (view 0 is the original tile, others augmented views).
CREATE TABLE embeddings (
  id           INTEGER PRIMARY KEY,
  tile_id      INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  backbone_id  INTEGER NOT NULL REFERENCES backbones(id) ON DELETE CASCADE,
  view         INTEGER NOT NULL DEFAULT 0,
  view_name    TEXT NOT NULL DEFAULT 'original',
  dtype        TEXT NOT NULL DEFAULT 'float32' CHECK (dtype IN ('float32', 'float16')),
  vector       BLOB NOT NULL
) STRICT;
CREATE UNIQUE INDEX embeddings_backbone_tile_view ON embeddings (backbone_id, tile_id, view);

CREATE TABLE tasks (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  classes_json TEXT NOT NULL,
  created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE labels (
  id          INTEGER PRIMARY KEY,
  task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  tile_id     INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  class_name  TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('import', 'viewer', 'review')),
  author      TEXT,
  created_at  TEXT NOT NULL,
  UNIQUE (task_id, tile_id)
) STRICT;

CREATE TABLE heads (
  id             INTEGER PRIMARY KEY,
  task_id        INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  backbone_id    INTEGER NOT NULL REFERENCES backbones(id),
  kind           TEXT NOT NULL CHECK (kind IN ('logreg', 'mlp', 'knn')),
  params_json    TEXT NOT NULL,
  seed           INTEGER NOT NULL,
  metrics_json   TEXT NOT NULL,
  train_seconds  REAL NOT NULL,
  weights        BLOB NOT NULL,
  created_at     TEXT NOT NULL
) STRICT;

CREATE TABLE predictions (
  head_id  INTEGER NOT NULL REFERENCES heads(id) ON DELETE CASCADE,
  tile_id  INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  probs    BLOB NOT NULL,
  PRIMARY KEY (head_id, tile_id)
) STRICT;

-- A pathologist's verdict on a predicted tile; accepted or relabelled tiles also become labels.
CREATE TABLE review_decisions (
  id          INTEGER PRIMARY KEY,
  head_id     INTEGER NOT NULL REFERENCES heads(id) ON DELETE CASCADE,
  tile_id     INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  decision    TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'relabel')),
  class_name  TEXT,
  author      TEXT,
  created_at  TEXT NOT NULL,
  UNIQUE (head_id, tile_id)
) STRICT;

-- A backbone comparison on a proxy task, kept so it can be re-opened.
CREATE TABLE comparisons (
  id           INTEGER PRIMARY KEY,
  task_id      INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  request_json TEXT NOT NULL,
  result_json  TEXT NOT NULL,
  created_at   TEXT NOT NULL
) STRICT;

-- Who did what with which model: kept for the lab's records, never rewritten.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  app_version  TEXT NOT NULL,
  action       TEXT NOT NULL,
  detail_json  TEXT NOT NULL,
  model_sha256 TEXT
) STRICT;
`;
