import type Database from 'better-sqlite3';

export interface SlideStatusRow {
  slideId: number;
  embedded: number[];
  predicted: number[];
  reviewed: number;
}

/**
 * One grouped query per question for the whole project, never one per slide. The EXISTS probes
 * walk a tiling's tiles only until the first stored row, through the (backbone, tile) and
 * (head, tile) primary keys, so an embedded slide costs one index seek per backbone. The inner
 * CROSS JOIN fixes that order: left to itself SQLite may walk every prediction of a head per
 * tiling instead (seconds at 10,000 slides; test/core/lists checks the plan).
 */
export const slideStatusQueries = {
  embedded: `SELECT DISTINCT g.slide_id, b.id FROM tilings g JOIN slides s ON s.id = g.slide_id CROSS JOIN backbones b
     WHERE s.patch_set_id IS NULL
       AND EXISTS (SELECT 1 FROM tiles t CROSS JOIN embeddings e WHERE t.tiling_id = g.id AND e.backbone_id = b.id AND e.tile_id = t.id)
     ORDER BY g.slide_id, b.id`,
  predicted: `SELECT DISTINCT g.slide_id, h.id FROM tilings g JOIN slides s ON s.id = g.slide_id CROSS JOIN heads h
     WHERE s.patch_set_id IS NULL
       AND EXISTS (SELECT 1 FROM tiles t CROSS JOIN predictions p WHERE t.tiling_id = g.id AND p.head_id = h.id AND p.tile_id = t.id)
     ORDER BY g.slide_id, h.id`,
  reviewed: `SELECT g.slide_id, count(DISTINCT r.tile_id) FROM review_decisions r JOIN tiles t ON t.id = r.tile_id JOIN tilings g ON g.id = t.tiling_id
     JOIN slides s ON s.id = g.slide_id WHERE s.patch_set_id IS NULL GROUP BY g.slide_id`,
} as const;

/**
 * Where each slide file stands (issue 14): embedded by which backbones, predicted by which heads,
 * how many of its tiles were reviewed. Patch images are left out: their sets are listed apart.
 */
export class SlideStatusRepo {
  private readonly embeddedPairs: Database.Statement<[], [number, number]>;
  private readonly predictedPairs: Database.Statement<[], [number, number]>;
  private readonly reviewedCounts: Database.Statement<[], [number, number]>;
  private readonly backboneNames: Database.Statement<[], { id: number; name: string }>;

  constructor(db: Database.Database) {
    this.embeddedPairs = db.prepare<[], [number, number]>(slideStatusQueries.embedded).raw();
    this.predictedPairs = db.prepare<[], [number, number]>(slideStatusQueries.predicted).raw();
    this.reviewedCounts = db.prepare<[], [number, number]>(slideStatusQueries.reviewed).raw();
    this.backboneNames = db.prepare<[], { id: number; name: string }>('SELECT id, name FROM backbones ORDER BY id');
  }

  backbones(): Array<{ id: number; name: string }> {
    return this.backboneNames.all();
  }

  /** Slides with any status, in slide id order; a slide left out has none. */
  all(): SlideStatusRow[] {
    const bySlide = new Map<number, SlideStatusRow>();
    const of = (slideId: number): SlideStatusRow => {
      let row = bySlide.get(slideId);
      if (!row) bySlide.set(slideId, (row = { slideId, embedded: [], predicted: [], reviewed: 0 }));
      return row;
    };
    for (const [slideId, backboneId] of this.embeddedPairs.iterate()) of(slideId).embedded.push(backboneId);
    for (const [slideId, headId] of this.predictedPairs.iterate()) of(slideId).predicted.push(headId);
    for (const [slideId, count] of this.reviewedCounts.iterate()) of(slideId).reviewed = count;
    return [...bySlide.values()].sort((a, b) => a.slideId - b.slideId);
  }
}
