import type { ExecutionProviderName } from '../../../src-shared/contract';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import { EmbeddingsRepo, type EmbeddingRow } from '../project/repos/embeddings-repo';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import type { StoredTile } from '../project/repos/tiles-repo';
import { openTileEmbedder } from '../backbones/worker-embedder';
import type { TileEmbedder } from '../backbones/inference-protocol';
import { floatsPerTile } from '../backbones/preprocess';
import { renderView } from '../backbones/augment-views';
import { resizeRgb } from '../imaging/rgb-image-io';
import { deliverInto } from '../slides/region';
import { openSlide } from '../slides/open-slide';
import type { RgbImage, SlideSource } from '../slides/slide-source';
import { readGridTile } from '../tiling/read-tile';
import type { VectorDtype } from '../embeddings/vector-codec';
import { failureOf, HistoError } from '../errors';
import { BoundedQueue } from './bounded-queue';
import { backboneModelFile } from './backbone-model-file';
import { diskFullError, isDiskFull } from '../project/disk-full';

/** The work for one slide or image: which of its tiles still need which views. */
export interface PipelineSource {
  path: string;
  kind: 'slide' | 'image';
  missing: Array<{ tile: StoredTile; views: number[] }>;
}

/** Sources handed to the pipeline one at a time, as they are planned (see PlannedSources). */
export interface SourceStream extends AsyncIterable<PipelineSource> {
  /** The (tile, view) pairs to embed, as far as known: the progress total. */
  expectedTotal(): number;
}

/** The (tile, view) pairs a source still needs embedded. */
export function pairsToEmbed(missing: PipelineSource['missing']): number {
  return missing.reduce((n, m) => n + m.views.length, 0);
}

/** A list of sources, all known up front, as a stream. */
function listStream(sources: readonly PipelineSource[]): SourceStream {
  const total = sources.reduce((n, p) => n + pairsToEmbed(p.missing), 0);
  return {
    expectedTotal: () => total,
    async *[Symbol.asyncIterator]() {
      yield* sources;
    },
  };
}

export interface PipelineOptions {
  batchSize: number;
  dtype: VectorDtype;
  viewNames: ReadonlyMap<number, string>;
  provider?: 'auto' | ExecutionProviderName;
  intraOpThreads?: number;
  /** Seeds the stain-jitter views, so the same view index always means the same jitter. */
  seed?: number;
  mppOverride?: number;
}

export interface PipelineResult {
  embedded: number;
  provider: ExecutionProviderName;
  failed: Array<{ path: string; message: string }>;
}

interface Batch {
  /** The tiles' RGB bytes (NHWC) as decoded: the backbone normalises them itself (see withPixelInput). */
  input: Uint8Array;
  count: number;
  keys: Array<{ tileId: number; view: number }>;
}

/**
 * Batches read ahead of the backbone: at least two, and up to this many bytes of tile pixels, so
 * tiles decoded while the model is still loading (overlapping the load) have somewhere to wait.
 */
const MIN_QUEUED_BATCHES = 2;
const QUEUED_BYTES = 64 * 2 ** 20;
/**
 * The run's last batches (fewer left than sessions) go to the backbone in this many parts each, so
 * the sessions finish together. Whole, one session sat idle through the rest of the other's last
 * batch: half a batch on average, and a MobileNetV2 session took 0.33-0.45 s per 32-tile batch on
 * two cores, so about 0.2 s of a 1,767-tile slide's 11 s. In quarters the expected idle is an eighth.
 */
export const TAIL_PARTS = 4;

/** How many batches of `bytesPerBatch` bytes may wait for the backbone. */
export function queuedBatches(bytesPerBatch: number): number {
  return Math.max(MIN_QUEUED_BATCHES, Math.floor(QUEUED_BYTES / bytesPerBatch));
}

/** A batch as `parts` consecutive batches of (nearly) equal size over the same memory. */
function splitBatch(batch: Batch, parts: number, perTile: number): Batch[] {
  const size = Math.ceil(batch.count / Math.max(1, parts));
  const out: Batch[] = [];
  for (let start = 0; start < batch.count; start += size) {
    const end = Math.min(batch.count, start + size);
    out.push({ input: batch.input.subarray(start * perTile, end * perTile), count: end - start, keys: batch.keys.slice(start, end) });
  }
  return out;
}

/**
 * A tile as the backbone sees it: read at the tiling's resolution, resampled once to the model's
 * input. Given `into` (inputSize^2 x 3 bytes), the pixels are written there.
 */
export async function readModelTile(source: SlideSource, kind: PipelineSource['kind'], tile: StoredTile, inputSize: number, into?: Uint8Array): Promise<RgbImage> {
  if (kind === 'image') {
    const whole = await source.readRegion(0, 0, source.info.width, source.info.height, 0);
    return deliverInto(await resizeRgb(whole, inputSize, inputSize), into);
  }
  return readGridTile(source, tile, inputSize, into);
}

/**
 * Checks the model file against its recorded sha256 and loads the backbone's sessions, taking
 * batches of RGB bytes: the normalisation runs in ONNX Runtime, not on the thread that reads tiles.
 */
export async function openPipelineEmbedder(backbone: StoredBackbone, options: Pick<PipelineOptions, 'provider' | 'intraOpThreads'>): Promise<TileEmbedder> {
  return openTileEmbedder(backboneModelFile(backbone), backbone, { provider: options.provider, intraOpThreads: options.intraOpThreads, pixelInput: true });
}

/** Releases a backbone opened ahead of a run that will not happen; its opening error no longer matters. */
export async function closeOpening(opening: Promise<TileEmbedder> | undefined): Promise<void> {
  const embedder = await opening?.catch(() => undefined);
  await embedder?.close();
}

/**
 * Tiles -> backbone -> SQLite, as a pipeline: tiles are decoded in the slide readers' worker pool
 * and their bytes batched on this thread while the backbone normalises and runs the previous
 * batch on its own worker thread (ONNX Runtime blocks the thread that calls it), and each batch is
 * written in one transaction. What is written stays written: a run killed at any point resumes from it.
 */
export async function runEmbeddingPipeline(
  store: ProjectStore,
  backbone: StoredBackbone,
  sources: readonly PipelineSource[] | SourceStream,
  options: PipelineOptions,
  ctx?: JobContext,
  /** The backbone already opening (openPipelineEmbedder), so loading it overlapped the planning; the pipeline closes it. */
  opening?: Promise<TileEmbedder>,
): Promise<PipelineResult> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 4096) {
    await closeOpening(opening);
    throw new HistoError('VALIDATION', `batch size must be a whole number from 1 to 4096, not ${options.batchSize}`);
  }
  const stream = Array.isArray(sources) ? listStream(sources) : (sources as SourceStream);
  const failed: PipelineResult['failed'] = [];
  // Not awaited here: the first tiles are read and normalised while the model loads.
  const embedderReady = opening ?? openPipelineEmbedder(backbone, options);
  embedderReady.catch(() => undefined); // its failure surfaces where the consumer awaits it
  let embedded = 0; // rows this run stored
  let processed = 0; // tiles this run ran through the backbone
  try {
    const repo = new EmbeddingsRepo(store.db);
    const perTile = floatsPerTile(backbone); // bytes of one tile's RGB, as many as its floats
    const spare: Uint8Array[] = [];
    // Batches live in shared memory: an inference worker reads them where they are and sends back
    // only the embeddings, so no batch-sized buffer arrives on this thread per batch (each one did,
    // and added to this thread's garbage collection: 21 full collections per 1,600 tiles against 18).
    const newBatch = (): Batch => ({ input: spare.pop() ?? new Uint8Array(new SharedArrayBuffer(options.batchSize * perTile)), count: 0, keys: [] });
    // Each chunk's tiles are read into these and copied into the batch: no tile-sized allocation per
    // tile, which on a light model made the main thread's garbage collection cost as much as reading.
    const tileBuffers = Array.from({ length: options.batchSize }, () => new Uint8Array(perTile));
    const queue = new BoundedQueue<Batch>(queuedBatches(options.batchSize * perTile));
    let stopped = false; // the other side failed: no slide is worth reading any more

    const produce = async () => {
      let batch = newBatch();
      for await (const plan of stream) {
        if (stopped) break;
        if (plan.missing.length === 0) continue;
        let source: SlideSource | undefined;
        try {
          source = await openSlide(plan.path, { mppOverride: options.mppOverride });
          // Read a batch's worth of tiles at once so the decode workers all have work.
          for (let start = 0; start < plan.missing.length; start += options.batchSize) {
            ctx?.throwIfCancelled();
            const chunk = plan.missing.slice(start, start + options.batchSize);
            const images = await Promise.all(chunk.map((m, i) => readModelTile(source!, plan.kind, m.tile, backbone.inputSize, tileBuffers[i])));
            for (const [i, item] of chunk.entries()) {
              for (const view of item.views) {
                const pixels = view === 0 ? images[i]! : renderView(images[i]!, view, options.seed ?? 0);
                if (pixels.data.length !== perTile) {
                  throw new HistoError('INTERNAL', `${plan.path}: tile ${item.tile.id} read as ${pixels.width}x${pixels.height}; the backbone takes ${backbone.inputSize}x${backbone.inputSize}`);
                }
                batch.input.set(pixels.data, batch.count * perTile);
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
          if (stopped || (err instanceof HistoError && err.code === 'CANCELLED')) throw err;
          if (isDiskFull(err)) throw err; // the writer stopped: no slide of this run can be stored
          failed.push(failureOf(plan.path, err));
        } finally {
          await source?.close();
        }
      }
      if (batch.count > 0) await queue.push(batch);
      queue.close();
    };

    const storeBatch = (batch: Batch, output: Float32Array) => {
      const rows: EmbeddingRow[] = batch.keys.map((key, i) => ({
        tileId: key.tileId,
        view: key.view,
        viewName: options.viewNames.get(key.view) ?? `view-${key.view}`,
        vector: output.subarray(i * backbone.dim, (i + 1) * backbone.dim),
      }));
      try {
        embedded += repo.insertBatch(backbone.id, options.dtype, rows);
      } catch (err) {
        // The batch's transaction rolled back: exactly the `embedded` tiles before it are stored.
        if (isDiskFull(err)) throw diskFullError(`${embedded} tiles stored`, err);
        throw err;
      }
      processed += batch.count;
      ctx?.progress(processed, stream.expectedTotal(), `embedding with ${backbone.name}`);
    };

    // As many batches in flight as the backbone runs at once (one per session); each is stored in
    // its own transaction as soon as it comes back, in whatever order the sessions finish.
    const consume = async () => {
      const embedder = await embedderReady;
      const running = new Set<Promise<void>>();
      try {
        for (let batch = await queue.shift(); batch; batch = await queue.shift()) {
          const whole = batch;
          const tail = embedder.parallelism > 1 && queue.isClosed && queue.size < embedder.parallelism;
          // A part is a view of the whole batch's memory: only a whole batch is reused afterwards.
          for (const part of tail ? splitBatch(whole, TAIL_PARTS, perTile) : [whole]) {
            const job: Promise<void> = embedder.embedBuffer(part.input, part.count).then(({ output, input }) => {
              storeBatch(part, output);
              if (part === whole) spare.push(input);
            });
            running.add(job);
            // Settled jobs leave the set; a failure surfaces through the race or the final wait.
            job.then(
              () => running.delete(job),
              () => undefined,
            );
            if (running.size >= embedder.parallelism) await Promise.race(running);
          }
        }
        await Promise.all(running);
      } catch (err) {
        // Nothing may write after the run has ended: let the other batches in flight settle first.
        await Promise.allSettled(running);
        throw err;
      }
    };

    let firstError: { reason: unknown } | undefined;
    const failBoth = (err: unknown) => {
      firstError ??= { reason: err };
      stopped = true;
      queue.close(err);
    };
    // Both sides settle before the run ends, so nothing reads or writes after it, and a full disk
    // (met by either side: storing, or planning the next slide) names every tile that was stored.
    await Promise.all([produce().catch(failBoth), consume().catch(failBoth)]);
    if (firstError) {
      if (isDiskFull(firstError.reason)) throw diskFullError(`${embedded} tiles stored`, firstError.reason);
      throw firstError.reason;
    }
    return { embedded, provider: (await embedderReady).provider, failed };
  } finally {
    await closeOpening(embedderReady);
  }
}
