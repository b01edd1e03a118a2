import path from 'node:path';
import type Database from 'better-sqlite3';

/** A patch set as the project lists it: one imported folder of patch images. */
export interface StoredPatchSet {
  id: number;
  rootPath: string;
  name: string;
  images: number;
  /** The class folders its images came from (DIR/<class>/<image>), sorted. */
  classes: string[];
  /** The µm per pixel its images share, or null when unknown or mixed. */
  mpp: number | null;
  /** 'user' when someone set it, 'file' when every image carried it, null when unknown. */
  mppSource: 'file' | 'user' | null;
  createdAt: string;
}

interface PatchSetRow {
  id: number;
  root_path: string;
  name: string;
  created_at: string;
  images: number;
  classes: string | null;
  min_mpp: number | null;
  max_mpp: number | null;
  unknown_mpp: number;
  user_mpp: number;
}

/** Patch sets (migration 004) and the membership of their images, which are rows of `slides`. */
export class PatchSetsRepo {
  private readonly byRoot: Database.Statement<[string], { id: number }>;
  private readonly insert: Database.Statement;
  private readonly join: Database.Statement;
  private readonly summaries: Database.Statement<[], PatchSetRow>;
  private readonly summary: Database.Statement<[number], PatchSetRow>;
  private readonly updateMpp: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.byRoot = db.prepare('SELECT id FROM patch_sets WHERE root_path = ?');
    this.insert = db.prepare('INSERT INTO patch_sets (root_path, name, created_at) VALUES (?, ?, ?)');
    this.join = db.prepare("UPDATE slides SET patch_set_id = ? WHERE id = ? AND kind = 'image'");
    // One pass over the member rows: count, classes and whether they agree on a resolution.
    const select = `
      SELECT p.id, p.root_path, p.name, p.created_at,
             count(s.id) AS images,
             (SELECT group_concat(label, char(10)) FROM (SELECT DISTINCT candidate_label AS label FROM slides WHERE patch_set_id = p.id AND candidate_label IS NOT NULL ORDER BY label)) AS classes,
             min(s.mpp_x) AS min_mpp, max(s.mpp_x) AS max_mpp,
             coalesce(sum(s.id IS NOT NULL AND s.mpp_x IS NULL), 0) AS unknown_mpp,
             coalesce(sum(s.mpp_source = 'user'), 0) AS user_mpp
      FROM patch_sets p LEFT JOIN slides s ON s.patch_set_id = p.id`;
    this.summaries = db.prepare(`${select} GROUP BY p.id ORDER BY p.id`);
    this.summary = db.prepare(`${select} WHERE p.id = ? GROUP BY p.id`);
    this.updateMpp = db.prepare("UPDATE slides SET mpp_x = ?, mpp_y = ?, mpp_source = 'user' WHERE patch_set_id = ?");
  }

  /** The patch set of a folder, created on first use. */
  ensure(rootPath: string): number {
    const existing = this.byRoot.get(rootPath);
    if (existing) return existing.id;
    return Number(this.insert.run(rootPath, path.basename(rootPath) || rootPath, new Date().toISOString()).lastInsertRowid);
  }

  /** Makes images members of a patch set (slide files are never members). */
  addImages(patchSetId: number, slideIds: readonly number[]): void {
    for (const id of slideIds) this.join.run(patchSetId, id);
  }

  /** Gives every image of a patch set the same resolution, as set by the user. */
  setMpp(patchSetId: number, mpp: number): void {
    this.updateMpp.run(mpp, mpp, patchSetId);
  }

  get(id: number): StoredPatchSet | undefined {
    const row = this.summary.get(id);
    return row ? fromRow(row) : undefined;
  }

  list(): StoredPatchSet[] {
    return this.summaries.all().map(fromRow);
  }

  /** Slides and standalone images (not in a patch set), and patch sets: what the project bar counts. */
  counts(): { slides: number; patchSets: number } {
    const slides = (this.db.prepare('SELECT count(*) AS n FROM slides WHERE patch_set_id IS NULL').get() as { n: number }).n;
    const patchSets = (this.db.prepare('SELECT count(*) AS n FROM patch_sets').get() as { n: number }).n;
    return { slides, patchSets };
  }
}

function fromRow(row: PatchSetRow): StoredPatchSet {
  const agreed = row.images > 0 && row.unknown_mpp === 0 && row.min_mpp !== null && row.min_mpp === row.max_mpp;
  return {
    id: row.id,
    rootPath: row.root_path,
    name: row.name,
    images: row.images,
    classes: row.classes ? row.classes.split('\n') : [],
    mpp: agreed ? row.min_mpp : null,
    mppSource: agreed ? (row.user_mpp === row.images ? 'user' : 'file') : null,
    createdAt: row.created_at,
  };
}
