import type { EmbedSummary, ExecutionProviderName } from '../../../src-shared/contract';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { recordAudit } from '../project/repos/audit-repo';
import { viewsFor, type ViewMode } from '../backbones/augment-views';
import type { VectorDtype } from '../embeddings/vector-codec';
import { failureOf, HistoError } from '../errors';
import { collectInputs } from './collect-inputs';
import { planSource, type PlannedSource, type TilingChoice } from './extraction-plan';
import { closeOpening, openPipelineEmbedder, runEmbeddingPipeline } from './embedding-pipeline';
import type { ShardSpec } from '../cluster/shard-spec';
import { selectShardInputs } from '../cluster/shard-selection';
import { rethrowIfDiskFull, stopOnDiskFull } from '../project/disk-full';

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
  const plans: PlannedSource[] = [];
  const inputs = await selectShardInputs(store, collectInputs(options.paths), options.shard, { command: 'embed', backbone, tiling: choice }, ctx);
  const sessionOptions = { provider: options.provider, intraOpThreads: options.intraOpThreads };
  // The model loads on its worker threads while this one finds the tissue: the load is off the clock.
  const opening = openPipelineEmbedder(backbone, sessionOptions);
  opening.catch(() => undefined); // its failure is reported when the pipeline awaits it
  try {
    for (const [index, input] of inputs.entries()) {
      ctx?.throwIfCancelled();
      ctx?.progress(0, null, `preparing ${index + 1}/${inputs.length}: ${input.path}`);
      try {
        const plan = await planSource(store, input, choice, backbone.id, views.map((v) => v.view));
        await plan.source.close();
        plans.push(plan);
      } catch (err) {
        if (err instanceof HistoError && err.code === 'CANCELLED') throw err;
        rethrowIfDiskFull(err, () => '0 tiles stored');
        failed.push(failureOf(input.path, err));
      }
    }
  } catch (err) {
    await closeOpening(opening);
    throw err;
  }
  const tileCount = plans.reduce((n, p) => n + p.tiles.length, 0);
  const result = await runEmbeddingPipeline(
    store,
    backbone,
    plans.map((p) => ({ path: p.input.path, kind: p.input.kind, missing: p.missing })),
    { batchSize: options.batchSize, dtype: options.dtype, viewNames, ...sessionOptions, seed: options.seed, mppOverride: choice.mppOverride },
    ctx,
    opening,
  );
  failed.push(...result.failed);
  const embedded = result.embedded;

  const seconds = (performance.now() - started) / 1000;
  const summary: ExtractionSummary = {
    slides: plans.length,
    tiles: tileCount,
    views: views.length,
    embedded,
    seconds,
    tilesPerSecond: seconds > 0 ? embedded / seconds : 0,
    provider: result.provider,
    failed,
  };
  // A run that could not read a single input changed nothing worth recording (and must leave the project untouched).
  if (plans.length > 0) {
    await stopOnDiskFull(
      () =>
        recordAudit(
          store.db,
          'embed',
          { backbone: backbone.name, slides: plans.map((p) => p.input.path), embedded, views: options.views, failed: failed.length },
          backbone.sha256,
        ),
      () => `${embedded} tiles stored`,
    );
  }
  return summary;
}
