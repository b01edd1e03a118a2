import type { ExecutionProviderName } from '../../../src-shared/contract';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import { EmbeddingsRepo, type EmbeddingRow } from '../project/repos/embeddings-repo';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { recordAudit } from '../project/audit-log';
import { Embedder } from '../backbones/embedder';
import { floatsPerTile, writeInputTensor } from '../backbones/preprocess';
import { renderView, viewsFor, type ViewMode } from '../backbones/augment-views';
import { resizeRgb } from '../imaging/rgb-image-io';
import { openSlide } from '../slides/open-slide';
import type { RgbImage, SlideSource } from '../slides/slide-source';
import { readGridTile } from '../tiling/read-tile';
import type { VectorDtype } from '../embeddings/vector-codec';
import { HistoError } from '../errors';
import { BoundedQueue } from './bounded-queue';
import { collectInputs } from './collect-inputs';
import { planSource, type PlannedSource, type TilingChoice } from './extraction-plan';
import { backboneModelFile } from './backbone-model-file';

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
}

export interface ExtractionSummary {
  slides: number;
  tiles: number;
  views: number;
  /** Vectors written by this run (tile x view pairs that were missing). */
  embedded: number;
  seconds: number;
  tilesPerSecond: number;
  provider: ExecutionProviderName;
  failed: Array<{ path: string; message: string }>;
}

interface Batch {
  input: Float32Array;
  count: number;
  keys: Array<{ tileId: number; view: number }>;
}

const QUEUED_BATCHES = 2;

/**
 * Slides and patch images -> tiles -> backbone -> SQLite, as a pipeline: tiles are decoded in the
 * slide readers' worker pool while the backbone runs the previous batch in ONNX Runtime's threads,
 * and each batch is written in one transaction. Resumable: what is stored is skipped, so a run
 * killed at any point and started again ends with every (tile, view) exactly once.
 */
export async function extractEmbeddings(store: ProjectStore, options: ExtractionOptions, ctx?: JobContext): Promise<ExtractionSummary> {
  const started = performance.now();
  const { backbone } = options;
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 4096) {
    throw new HistoError('VALIDATION', `batch size must be a whole number from 1 to 4096, not ${options.batchSize}`);
  }
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
  const inputs = collectInputs(options.paths);
  for (const [index, input] of inputs.entries()) {
    ctx?.throwIfCancelled();
    ctx?.progress(0, null, `preparing ${index + 1}/${inputs.length}: ${input.path}`);
    try {
      const plan = await planSource(store, input, choice, backbone.id, views.map((v) => v.view));
      await plan.source.close();
      plans.push(plan);
    } catch (err) {
      if (err instanceof HistoError && err.code === 'CANCELLED') throw err;
      failed.push({ path: input.path, message: err instanceof Error ? err.message : String(err) });
    }
  }
  const total = plans.reduce((n, p) => n + p.missing.reduce((m, t) => m + t.views.length, 0), 0);
  const tileCount = plans.reduce((n, p) => n + p.tiles.length, 0);

  const embedder = await Embedder.open(backboneModelFile(backbone), backbone, { provider: options.provider, intraOpThreads: options.intraOpThreads });
  let embedded = 0;
  try {
    if (total > 0) {
      const repo = new EmbeddingsRepo(store.db);
      const perTile = floatsPerTile(backbone);
      const spare: Float32Array[] = [];
      const newBatch = (): Batch => ({ input: spare.pop() ?? new Float32Array(options.batchSize * perTile), count: 0, keys: [] });
      const queue = new BoundedQueue<Batch>(QUEUED_BATCHES);

      const produce = async () => {
        let batch = newBatch();
        for (const plan of plans) {
          if (plan.missing.length === 0) continue;
          let source: SlideSource | undefined;
          try {
            source = await openSlide(plan.input.path, { mppOverride: choice.mppOverride });
            // Read a batch's worth of tiles at once so the decode workers all have work.
            for (let start = 0; start < plan.missing.length; start += options.batchSize) {
              ctx?.throwIfCancelled();
              const chunk = plan.missing.slice(start, start + options.batchSize);
              const images = await Promise.all(chunk.map((m) => readModelTile(source!, plan, m.tile, backbone.inputSize)));
              for (const [i, item] of chunk.entries()) {
                for (const view of item.views) {
                  const pixels = view === 0 ? images[i]! : renderView(images[i]!, view, options.seed ?? 0);
                  writeInputTensor([pixels], backbone, batch.input, batch.count * perTile);
                  batch.keys.push({ tileId: item.tile.id, view });
                  batch.count++;
                  if (batch.count === options.batchSize) {
                    await queue.push(batch);
                    batch = newBatch();
                  }
                }
              }
            }
          } catch (err) {
            if (err instanceof HistoError && err.code === 'CANCELLED') throw err;
            failed.push({ path: plan.input.path, message: err instanceof Error ? err.message : String(err) });
          } finally {
            await source?.close();
          }
        }
        if (batch.count > 0) await queue.push(batch);
        queue.close();
      };

      const consume = async () => {
        for (let batch = await queue.shift(); batch; batch = await queue.shift()) {
          const output = await embedder.embed(batch.input, batch.count);
          const rows: EmbeddingRow[] = batch.keys.map((key, i) => ({
            tileId: key.tileId,
            view: key.view,
            viewName: viewNames.get(key.view) ?? `view-${key.view}`,
            vector: output.subarray(i * backbone.dim, (i + 1) * backbone.dim),
          }));
          repo.insertBatch(backbone.id, options.dtype, rows);
          embedded += batch.count;
          spare.push(batch.input);
          ctx?.progress(embedded, total, `embedding with ${backbone.name}`);
        }
      };

      await Promise.all([
        produce().catch((err: unknown) => {
          queue.close(err);
          throw err;
        }),
        consume().catch((err: unknown) => {
          queue.close(err);
          throw err;
        }),
      ]);
    }
  } finally {
    await embedder.close();
  }

  const seconds = (performance.now() - started) / 1000;
  const summary: ExtractionSummary = {
    slides: plans.length,
    tiles: tileCount,
    views: views.length,
    embedded,
    seconds,
    tilesPerSecond: seconds > 0 ? embedded / seconds : 0,
    provider: embedder.provider,
    failed,
  };
  recordAudit(
    store.db,
    'embed',
    { backbone: backbone.name, slides: plans.map((p) => p.input.path), embedded, views: options.views, failed: failed.length },
    backbone.sha256,
  );
  return summary;
}

/** A tile as the backbone sees it: read at the tiling's resolution, resampled once to the model's input. */
async function readModelTile(source: SlideSource, plan: PlannedSource, tile: PlannedSource['tiles'][number], inputSize: number): Promise<RgbImage> {
  if (plan.input.kind === 'image') {
    const whole = await source.readRegion(0, 0, source.info.width, source.info.height, 0);
    return resizeRgb(whole, inputSize, inputSize);
  }
  return readGridTile(source, tile, inputSize);
}
