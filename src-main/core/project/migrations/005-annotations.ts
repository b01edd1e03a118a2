/**
 * Annotations drawn in the viewer (issue 14): rectangles, polygons and brush strokes on a slide,
 * each with a class of a task, stored as polygons in level-0 pixels. The tiles an annotation
 * labelled are kept beside it, so that editing or deleting it takes back exactly its labels.
 */
export const annotationsSchema = /* sql */ `
CREATE TABLE annotations (
  id             INTEGER PRIMARY KEY,
  task_id        INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  slide_id       INTEGER NOT NULL REFERENCES slides(id) ON DELETE CASCADE,
  class_name     TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('rectangle', 'polygon', 'brush', 'imported')),
  -- Polygon[] in level-0 pixels: each polygon a list of rings [[x, y], ...], the first its outline.
  polygons_json  TEXT NOT NULL,
  author         TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX annotations_task_slide ON annotations (task_id, slide_id);

CREATE TABLE annotation_tiles (
  annotation_id  INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
  tile_id        INTEGER NOT NULL REFERENCES tiles(id) ON DELETE CASCADE,
  PRIMARY KEY (annotation_id, tile_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX annotation_tiles_tile ON annotation_tiles (tile_id);
`;
