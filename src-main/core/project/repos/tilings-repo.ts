import type Database from 'better-sqlite3';
import type { GridTile } from '../../../../src-shared/domain/tiling';
import { TilesRepo } from './tiles-repo';

/** How a slide was cut: the same parameters always give the same tiles, shared by every backbone. */
export interface TilingParams {
  /** A patch image is one tile: the whole image, resized to whatever a backbone takes. */
  wholeImage?: boolean;
  tileSize: number;
  mpp: number | null;
  level: number | null;
  overlap: number;
  minTissue: number;
}

export function tilingKey(p: TilingParams): string {
  if (p.wholeImage) return 'whole-image';
  const resolution = p.mpp !== null ? `mpp=${p.mpp}` : `level=${p.level}`;
  return `size=${p.tileSize};${resolution};overlap=${p.overlap};minTissue=${p.minTissue}`;
}

/** Tilings of slides; a tiling is written together with its tiles (see TilesRepo). */
export class TilingsRepo {
  private readonly find: Database.Statement<[number, string], { id: number }>;
  private readonly insertTiling: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.find = db.prepare('SELECT id FROM tilings WHERE slide_id = ? AND params_key = ?');
    this.insertTiling = db.prepare(
      'INSERT INTO tilings (slide_id, tile_size, target_mpp, level, overlap, min_tissue, params_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  existing(slideId: number, params: TilingParams): number | undefined {
    return this.byKey(slideId, tilingKey(params));
  }

  /** The tiling of a slide with the given parameters key (see tilingKey). */
  byKey(slideId: number, paramsKey: string): number | undefined {
    return this.find.get(slideId, paramsKey)?.id;
  }

  /** A reusable lookup of a slide's whole tiling rows, in id order, as any schema version (a shard's) stores them. */
  static rowsOfSlideLookup(db: Database.Database): (slideId: number) => Array<Record<string, unknown>> {
    const statement = db.prepare('SELECT * FROM tilings WHERE slide_id = ? ORDER BY id');
    return (slideId) => statement.all(slideId) as Array<Record<string, unknown>>;
  }

  /**
   * Stores a tiling with all its tiles in one transaction: a tiling is never half written. Immediate
   * (write-locked from the start), so a second process planning the same tiling waits and then finds
   * it, instead of failing to upgrade a read that another writer made stale.
   */
  create(slideId: number, params: TilingParams, tiles: readonly GridTile[]): number {
    return this.db.transaction(() => {
      const again = this.existing(slideId, params);
      if (again !== undefined) return again;
      const key = tilingKey(params);
      const result = this.insertTiling.run(slideId, params.tileSize, params.mpp, params.level, params.overlap, params.minTissue, key, new Date().toISOString());
      const tilingId = Number(result.lastInsertRowid);
      new TilesRepo(this.db).insertMany(tilingId, tiles);
      return tilingId;
    }).immediate();
  }
}
