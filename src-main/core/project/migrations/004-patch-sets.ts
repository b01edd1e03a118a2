/**
 * Out-of-distribution scores (issue 14): each head keeps a reference sample of its preprocessed
 * training rows (heads/ood-reference.ts, an OOD1 BLOB) beside its weights, so the head format
 * itself is unchanged; every predicted tile gets the percentile of its distance to them.
 */
const oodSchema = /* sql */ `
CREATE TABLE head_ood_references (
  head_id    INTEGER PRIMARY KEY REFERENCES heads(id) ON DELETE CASCADE,
  reference  BLOB NOT NULL
) STRICT;

CREATE TABLE prediction_ood (
  head_id     INTEGER NOT NULL REFERENCES heads(id) ON DELETE CASCADE,
  tile_id     INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  percentile  REAL NOT NULL CHECK (percentile >= 0 AND percentile <= 100),
  PRIMARY KEY (head_id, tile_id)
) STRICT, WITHOUT ROWID;
`;

/**
 * Patch sets are not slides (issue 14): an imported patch folder (DIR/<class>/<image>) becomes one
 * dataset entry, and its images point at it. Existing projects are converted from their audit log,
 * which names the folder of every `dataset import-folder`: each image under such a folder joins the
 * patch set of the deepest folder that holds it. Images imported one by one stay standalone.
 *
 * SQLite has no basename(): `rtrim(p, replace(p, '/', ''))` strips every character that is not a
 * slash from the right, leaving the path up to its last slash, so the name is what follows it.
 */
export const patchSetsSchema = /* sql */ `
CREATE TABLE patch_sets (
  id          INTEGER PRIMARY KEY,
  root_path   TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;

ALTER TABLE slides ADD COLUMN patch_set_id INTEGER REFERENCES patch_sets(id) ON DELETE SET NULL;
CREATE INDEX slides_patch_set ON slides (patch_set_id);

INSERT OR IGNORE INTO patch_sets (root_path, name, created_at)
  SELECT folder, substr(unix, length(rtrim(unix, replace(unix, '/', ''))) + 1), first_at
  FROM (
    SELECT json_extract(detail_json, '$.folder') AS folder,
           replace(json_extract(detail_json, '$.folder'), char(92), '/') AS unix,
           min(at) AS first_at
    FROM audit_log
    WHERE action = 'dataset.import-folder' AND json_extract(detail_json, '$.folder') IS NOT NULL
    GROUP BY folder
  );

UPDATE slides SET patch_set_id = (
  SELECT p.id FROM patch_sets p
  WHERE substr(replace(slides.path, char(92), '/'), 1, length(p.root_path) + 1) = replace(p.root_path, char(92), '/') || '/'
  ORDER BY length(p.root_path) DESC LIMIT 1
) WHERE kind = 'image';
${oodSchema}`;
