import type Database from 'better-sqlite3';
import { HistoError } from '../errors';
import type { OpenShard, Row } from './shard-reader';
import { columnsOf, rowWriter } from '../project/repos/table-info';
import { EmbeddingsRepo, type EncodedVector } from '../project/repos/embeddings-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { TilingsRepo } from '../project/repos/tilings-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { PredictionsRepo } from '../project/repos/predictions-repo';

export interface MergeCounts {
  slides: number;
  tilings: number;
  tiles: number;
  embeddings: number;
  predictions: number;
}

export const zeroCounts = (): MergeCounts => ({ slides: 0, tilings: 0, tiles: 0, embeddings: 0, predictions: 0 });

/** Shard ids -> study ids of the backbones and heads whose rows are merged. */
export interface IdMaps {
  backbones: Map<number, number>;
  heads: Map<number, number>;
}

/** Copies rows of one table between two schemas: the columns both have, minus those the caller sets. */
function rowInserter(target: Database.Database, shard: Database.Database, table: string, set: string[], conflict = '') {
  const studyColumns = new Set(columnsOf(target, table));
  const shared = columnsOf(shard, table).filter((c) => c !== 'id' && !set.includes(c) && studyColumns.has(c));
  const columns = [...set, ...shared];
  const write = rowWriter(target, table, columns, conflict);
  return (row: Row, values: unknown[]) => write([...values, ...shared.map((c) => row[c])]);
}

/**
 * Merges one slide with its tilings, tiles, vectors and predictions in one transaction: killed
 * anywhere, the study holds the slide completely or not at all, and a rerun finds what is there
 * and adds only what is missing. Rows that exist in both must agree, or the merge stops naming the shard.
 */
export function slideMerger(target: Database.Database, shard: OpenShard, ids: IdMaps) {
  const s = shard.db;
  // The shard's rows are read whole (any schema version); the study's through its own repos.
  const shardSlide = SlidesRepo.rowLookup(s);
  const studySlide = new SlidesRepo(target).sizeByFingerprintLookup();
  const insertSlide = rowInserter(target, s, 'slides', []);
  const shardTilings = TilingsRepo.rowsOfSlideLookup(s);
  const studyTilings = new TilingsRepo(target);
  const insertTiling = rowInserter(target, s, 'tilings', ['slide_id']);
  const shardTiles = TilesRepo.rowsOfTilingLookup(s);
  const studyTiles = new TilesRepo(target).rectsOfTilingLookup();
  const insertTile = rowInserter(target, s, 'tiles', ['tiling_id']);
  const studyVectors = new EmbeddingsRepo(target);
  const shardPredictions = PredictionsRepo.rowsOfTilingLookup(s);
  const insertPrediction = rowInserter(target, s, 'predictions', ['head_id', 'tile_id'], 'ON CONFLICT (head_id, tile_id) DO NOTHING');

  const conflict = (what: string) => new HistoError('BAD_INPUT', `${shard.file}: ${what}; merge refused, nothing of this slide was written`);

  return target.transaction((slideId: number): MergeCounts => {
    const counts = zeroCounts();
    const slide = shardSlide(slideId) as Row & { fingerprint: string; path: string; width: number; height: number };
    let studySlideId: number;
    const existing = studySlide(slide.fingerprint);
    if (existing) {
      if (existing.width !== slide.width || existing.height !== slide.height) throw conflict(`slide ${slide.path} has the study's fingerprint but other dimensions`);
      studySlideId = existing.id;
    } else {
      studySlideId = Number(insertSlide(slide, []).lastInsertRowid);
      counts.slides++;
    }
    for (const tiling of shardTilings(slideId) as Array<Row & { id: number; params_key: string }>) {
      const tiles = shardTiles(tiling.id) as Array<Row & { id: number; x: number; y: number; width: number; height: number }>;
      const tileIds = new Map<number, number>();
      const found = studyTilings.byKey(studySlideId, tiling.params_key);
      if (found !== undefined) {
        // Same slide, same parameters: the grids must be the same, or two tissue detections disagree.
        const study = new Map(studyTiles(found).map((t) => [`${t.x},${t.y}`, t]));
        if (study.size !== tiles.length) throw conflict(`slide ${slide.path} was tiled (${tiling.params_key}) into ${tiles.length} tiles, the study has ${study.size}`);
        for (const t of tiles) {
          const match = study.get(`${t.x},${t.y}`);
          if (!match || match.width !== t.width || match.height !== t.height) throw conflict(`slide ${slide.path}: tile at ${t.x},${t.y} (${tiling.params_key}) differs from the study's`);
          tileIds.set(t.id, match.id);
        }
      } else {
        const studyTilingId = Number(insertTiling(tiling, [studySlideId]).lastInsertRowid);
        counts.tilings++;
        for (const t of tiles) tileIds.set(t.id, Number(insertTile(t, [studyTilingId]).lastInsertRowid));
        counts.tiles += tiles.length;
      }
      for (const [shardBackbone, studyBackbone] of ids.backbones) {
        const fresh: EncodedVector[] = [];
        for (const v of EmbeddingsRepo.tilingVectors(s, tiling.id, shardBackbone)) {
          const tileId = tileIds.get(v.tileId)!;
          const stored = studyVectors.storedVector(studyBackbone, tileId, v.view);
          if (!stored) fresh.push({ ...v, tileId });
          else if (stored.dtype !== v.dtype || !stored.bytes.equals(v.bytes)) throw conflict(`slide ${slide.path}: vector of tile ${tileId} view ${v.view} differs from the study's (same backbone file)`);
        }
        counts.embeddings += studyVectors.writeEncoded(studyBackbone, fresh);
      }
      for (const [shardHead, studyHead] of ids.heads) {
        for (const p of shardPredictions(tiling.id, shardHead) as IterableIterator<Row & { tile_id: number }>) {
          counts.predictions += insertPrediction(p, [studyHead, tileIds.get(p.tile_id)!]).changes;
        }
      }
    }
    return counts;
  });
}
