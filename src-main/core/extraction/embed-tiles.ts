import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import type { StoredTile } from '../project/repos/tiles-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { viewsFor } from '../backbones/augment-views';
import { runEmbeddingPipeline, type PipelineResult, type PipelineSource } from './embedding-pipeline';

interface TileWithSource extends StoredTile {
  path: string;
  kind: 'slide' | 'image';
}

/**
 * Embeds given tiles (e.g. a task's labelled tiles) with a backbone, skipping what is stored:
 * how a newly imported backbone catches up on a proxy task without re-tiling anything. Null when
 * every tile was stored already.
 */
export async function embedTiles(
  store: ProjectStore,
  backbone: StoredBackbone,
  tileIds: readonly number[],
  options: { batchSize?: number; views?: readonly number[] } = {},
  ctx?: JobContext,
): Promise<PipelineResult | null> {
  const views = options.views ?? [0];
  store.db.exec('CREATE TEMP TABLE IF NOT EXISTS wanted_tiles (tile_id INTEGER PRIMARY KEY)');
  store.db.exec('DELETE FROM wanted_tiles');
  const add = store.db.prepare('INSERT OR IGNORE INTO wanted_tiles VALUES (?)');
  store.db.transaction(() => tileIds.forEach((id) => add.run(id)))();
  const tiles = store.db
    .prepare(
      `SELECT t.id, t.x, t.y, t.width, t.height, t.tissue, s.path AS path, s.kind AS kind
       FROM wanted_tiles w JOIN tiles t ON t.id = w.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id
       ORDER BY s.id, t.id`,
    )
    .all() as TileWithSource[];
  const stored = new EmbeddingsRepo(store.db).storedKeysOf(backbone.id, tileIds);
  const bySource = new Map<string, PipelineSource>();
  for (const tile of tiles) {
    const missingViews = views.filter((v) => !stored.has(`${tile.id}:${v}`));
    if (missingViews.length === 0) continue;
    const source = bySource.get(tile.path) ?? { path: tile.path, kind: tile.kind, missing: [] };
    source.missing.push({ tile, views: missingViews });
    bySource.set(tile.path, source);
  }
  // Nothing to embed (a prediction over stored tiles): no model is opened.
  if (bySource.size === 0) return null;
  const viewNames = new Map(viewsFor('d4+stain').map((v) => [v.view, v.name]));
  return runEmbeddingPipeline(store, backbone, [...bySource.values()], { batchSize: options.batchSize ?? 32, dtype: 'float32', viewNames }, ctx);
}
