import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { viewsFor } from '../backbones/augment-views';
import { runEmbeddingPipeline, type PipelineResult, type PipelineSource } from './embedding-pipeline';

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
  const tiles = new TilesRepo(store.db).sourcesOf(tileIds);
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
