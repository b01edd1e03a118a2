import type { EmbedSummary, ExecutionProviderName } from '../../../src-shared/contract';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { recordAudit } from '../project/repos/audit-repo';
import { viewsFor, type ViewMode } from '../backbones/augment-views';
import type { VectorDtype } from '../embeddings/vector-codec';
import { collectInputs } from './collect-inputs';
import { planSource, type TilingChoice } from './extraction-plan';
import { openPipelineEmbedder, runEmbeddingPipeline } from './embedding-pipeline';
import { PlannedSources } from './planned-sources';
import type { ShardSpec } from '../cluster/shard-spec';
import { selectShardInputs } from '../cluster/shard-selection';
import { stopOnDiskFull } from '../project/disk-full';

export interface ExtractionOptions extends Omit<TilingChoice, 'tileSize'> {
  paths: string[];
  backbone: StoredBackbone;
  /** Tile side in pixels before resizing to the backbone input; defaults to the input size. */
  tileSize?: number;
  views: ViewMode;
  batchSize: number;
  dtype: VectorDtype;
  provider?: 'auto' | ExecutionProviderName;
  intraOpThreads?: number;
  /** Seeds the stain-jitter views, so the same view index always means the same jitter. */
  seed?: number;
  /** Only the slides whose content fingerprint falls into this shard; the project records it. */
  shard?: ShardSpec;
}

/** What an extraction returns: the contract's EmbedSummary (`embedded`: vectors this run wrote, the missing tile x view pairs). */
export type ExtractionSummary = EmbedSummary;

/**
 * Slides and patch images -> tiles -> backbone -> SQLite (see runEmbeddingPipeline). Resumable:
 * what is stored is skipped, so a run killed at any point and started again ends with every
 * (tile, view) exactly once.
 */
export async function extractEmbeddings(store: ProjectStore, options: ExtractionOptions, ctx?: JobContext): Promise<ExtractionSummary> {
  const started = performance.now();
  const { backbone } = options;
  const views = viewsFor(options.views);
  const viewNames = new Map(views.map((v) => [v.view, v.name]));
  const choice: TilingChoice = {
    tileSize: options.tileSize ?? backbone.inputSize,
    mpp: options.mpp,
    level: options.level,
    minTissue: options.minTissue,
    mppOverride: options.mppOverride,
  };
  if (choice.mpp === undefined && choice.level === undefined) choice.mpp = 0.5;

  const failed: ExtractionSummary['failed'] = [];
  const inputs = await selectShardInputs(store, collectInputs(options.paths), options.shard, { command: 'embed', backbone, tiling: choice }, ctx);
  const sessionOptions = { provider: options.provider, intraOpThreads: options.intraOpThreads };
  // The model loads on its worker threads while this one finds the first slide's tissue: the load is off the clock.
  const opening = openPipelineEmbedder(backbone, sessionOptions);
  opening.catch(() => undefined); // its failure is reported when the pipeline awaits it
  const viewIndexes = views.map((v) => v.view);
  const planned = new PlannedSources(inputs, (input) => planSource(store, input, choice, backbone.id, viewIndexes), failed, ctx);
  const result = await runEmbeddingPipeline(
    store,
    backbone,
    planned,
    { batchSize: options.batchSize, dtype: options.dtype, viewNames, ...sessionOptions, seed: options.seed, mppOverride: choice.mppOverride },
    ctx,
    opening,
  );
  failed.push(...result.failed);
  const embedded = result.embedded;

  const seconds = (performance.now() - started) / 1000;
  const summary: ExtractionSummary = {
    slides: planned.slides,
    tiles: planned.tiles,
    views: views.length,
    embedded,
    seconds,
    tilesPerSecond: seconds > 0 ? embedded / seconds : 0,
    provider: result.provider,
    failed,
  };
  // A run that could not read a single input changed nothing worth recording (and must leave the project untouched).
  if (planned.slides > 0) {
    await stopOnDiskFull(
      () =>
        recordAudit(
          store.db,
          'embed',
          { backbone: backbone.name, slides: planned.paths, embedded, views: options.views, failed: failed.length },
          backbone.sha256,
        ),
      () => `${embedded} tiles stored`,
    );
  }
  return summary;
}
