import type Database from 'better-sqlite3';
import type { SlideFormat, SlideInfo, SlideVendor } from '../../../../src-shared/domain/slide';

/** A slide or patch image and the patch set it belongs to (null for slides and standalone images). */
export interface SlideOfSource {
  id: number;
  path: string;
  patchSetId: number | null;
  patchSetRoot: string | null;
}

export interface SlideRef {
  id: number;
  path: string;
  kind: 'slide' | 'image';
  width: number;
  height: number;
}

export interface StoredSlide {
  id: number;
  path: string;
  fingerprint: string;
  kind: 'slide' | 'image';
  candidateLabel: string | null;
  /** The patch set (imported patch folder) an image belongs to; null for slides and standalone images. */
  patchSetId: number | null;
  /** 'file' when the mpp came from the slide's metadata, 'user' when someone set it, null when unknown. */
  mppSource: string | null;
  info: SlideInfo;
}

interface SlideRow {
  id: number;
  path: string;
  fingerprint: string;
  kind: 'slide' | 'image';
  /** Written from SlideInfo, so one of the readers' formats. */
  format: SlideFormat;
  vendor: SlideVendor | null;
  width: number;
  height: number;
  mpp_x: number | null;
  mpp_y: number | null;
  mpp_source: string | null;
  magnification: number | null;
  levels_json: string;
  associated_json: string;
  candidate_label: string | null;
  patch_set_id: number | null;
}

function fromRow(row: SlideRow): StoredSlide {
  return {
    id: row.id,
    path: row.path,
    fingerprint: row.fingerprint,
    kind: row.kind,
    candidateLabel: row.candidate_label,
    patchSetId: row.patch_set_id,
    mppSource: row.mpp_source,
    info: {
      path: row.path,
      format: row.format,
      vendor: row.vendor,
      width: row.width,
      height: row.height,
      levels: JSON.parse(row.levels_json) as SlideInfo['levels'],
      mppX: row.mpp_x,
      mppY: row.mpp_y,
      magnification: row.magnification,
      associated: JSON.parse(row.associated_json) as SlideInfo['associated'],
    },
  };
}

/** Slides and patch images of a project, keyed by content fingerprint. */
export class SlidesRepo {
  private readonly byFingerprint: Database.Statement<[string], SlideRow>;
  private readonly byId: Database.Statement<[number], SlideRow>;
  private readonly insert: Database.Statement;
  private readonly updatePath: Database.Statement;
  private readonly updateMpp: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.byFingerprint = db.prepare('SELECT * FROM slides WHERE fingerprint = ?');
    this.byId = db.prepare('SELECT * FROM slides WHERE id = ?');
    this.insert = db.prepare(
      `INSERT INTO slides (path, fingerprint, kind, format, vendor, width, height, mpp_x, mpp_y, mpp_source, magnification, levels_json, associated_json, candidate_label, added_at)
       VALUES (@path, @fingerprint, @kind, @format, @vendor, @width, @height, @mppX, @mppY, @mppSource, @magnification, @levels, @associated, @candidateLabel, @addedAt)`,
    );
    this.updatePath = db.prepare('UPDATE slides SET path = ?, candidate_label = coalesce(?, candidate_label) WHERE id = ?');
    this.updateMpp = db.prepare('UPDATE slides SET mpp_x = ?, mpp_y = ?, mpp_source = ? WHERE id = ?');
  }

  /** A reusable lookup of a slide's id and size by content fingerprint: how a merge finds a shard's slide in the study. */
  sizeByFingerprintLookup(): (fingerprint: string) => { id: number; width: number; height: number } | undefined {
    const statement = this.db.prepare('SELECT id, width, height FROM slides WHERE fingerprint = ?');
    return (fingerprint) => statement.get(fingerprint) as { id: number; width: number; height: number } | undefined;
  }

  /** A reusable lookup of a slide's whole row, as any schema version (a shard's) stores it. */
  static rowLookup(db: Database.Database): (slideId: number) => Record<string, unknown> | undefined {
    const statement = db.prepare('SELECT * FROM slides WHERE id = ?');
    return (slideId) => statement.get(slideId) as Record<string, unknown> | undefined;
  }

  /**
   * Registers a slide, or finds it again by content (following it when it moved). The lookup and
   * the insert are one immediate (write-locked) transaction: two processes registering the same
   * slide at once would otherwise both miss it, and the second insert break the fingerprint's
   * uniqueness.
   */
  upsert(fingerprint: string, info: SlideInfo, kind: 'slide' | 'image', candidateLabel: string | null, mppSource: string | null): StoredSlide {
    return this.db.transaction(() => this.findOrInsert(fingerprint, info, kind, candidateLabel, mppSource)).immediate();
  }

  private findOrInsert(fingerprint: string, info: SlideInfo, kind: 'slide' | 'image', candidateLabel: string | null, mppSource: string | null): StoredSlide {
    const existing = this.byFingerprint.get(fingerprint);
    if (existing) {
      // A label given again for the same path never replaces one: embedding DIR/<class>/<case>/<image>
      // would offer the case folder's name, where the patch-folder import stored the class.
      if (existing.path !== info.path || (candidateLabel && existing.candidate_label === null)) {
        this.updatePath.run(info.path, candidateLabel, existing.id);
      }
      return fromRow(this.byId.get(existing.id)!);
    }
    const result = this.insert.run({
      path: info.path,
      fingerprint,
      kind,
      format: info.format,
      vendor: info.vendor,
      width: info.width,
      height: info.height,
      mppX: info.mppX,
      mppY: info.mppY,
      mppSource,
      magnification: info.magnification,
      levels: JSON.stringify(info.levels),
      associated: JSON.stringify(info.associated),
      candidateLabel,
      addedAt: new Date().toISOString(),
    });
    return fromRow(this.byId.get(Number(result.lastInsertRowid))!);
  }

  /** Replaces a slide's resolution (µm per pixel) and records where it came from. */
  setMpp(id: number, mppX: number, mppY: number, mppSource: string): StoredSlide | undefined {
    this.updateMpp.run(mppX, mppY, mppSource, id);
    return this.get(id);
  }

  get(id: number): StoredSlide | undefined {
    const row = this.byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  list(): StoredSlide[] {
    return (this.db.prepare('SELECT * FROM slides ORDER BY id').all() as SlideRow[]).map(fromRow);
  }

  ids(): number[] {
    return (this.db.prepare('SELECT id FROM slides ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id);
  }

  exists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM slides WHERE id = ?').get(id) !== undefined;
  }

  idOfPath(resolvedPath: string): number | undefined {
    return (this.db.prepare('SELECT id FROM slides WHERE path = ?').get(resolvedPath) as { id: number } | undefined)?.id;
  }

  /** Id and path of every slide and patch image, with the patch set an image belongs to, in id order. */
  pathsWithPatchSet(): SlideOfSource[] {
    return this.db
      .prepare('SELECT s.id, s.path, s.patch_set_id AS patchSetId, p.root_path AS patchSetRoot FROM slides s LEFT JOIN patch_sets p ON p.id = s.patch_set_id ORDER BY s.id')
      .all() as SlideOfSource[];
  }

  /** What a label file can name a slide by, and its size. */
  refs(): SlideRef[] {
    return this.db.prepare('SELECT id, path, kind, width, height FROM slides').all() as SlideRef[];
  }

  /** Merges JSON fields into each slide's metadata (JSON merge patch), keyed by slide id. */
  patchMeta(patches: ReadonlyMap<number, Record<string, unknown>>): void {
    const mergeMeta = this.db.prepare('UPDATE slides SET meta_json = json_patch(meta_json, ?) WHERE id = ?');
    for (const [slideId, meta] of patches) mergeMeta.run(JSON.stringify(meta), slideId);
  }
}
