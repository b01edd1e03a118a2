import os from 'node:os';
import type { ExecutionProviderName } from '../../../src-shared/contract';

/** How many backbone sessions run side by side, and how many threads each uses. */
export interface SessionPlan {
  sessions: number;
  /** ONNX Runtime's intra-op threads per session; undefined lets it pick (one per core). */
  intraOpThreads: number | undefined;
  /** The most tiles one run of a session takes (EmbedderOptions.runBatch); undefined: a whole batch. */
  runBatch?: number;
}

/** Never more sessions than this: past it the calling thread cannot feed them anyway. */
const MAX_SESSIONS = 4;
/** Model bytes all sessions together may hold: each session keeps its own copy of the weights. */
const WEIGHT_BUDGET_BYTES = 512 * 2 ** 20;
/**
 * Tiles per run of a single-threaded CPU session. A convolution network's activations for many
 * tiles (MobileNetV2: megabytes per tile and layer) spill out of the caches that those of a few
 * tiles fit in, and two sessions side by side share the last-level cache. Measured on 2 shared
 * cores, alternated, MobileNetV2 1.0 on one thread: 8.8-11.3 CPU-ms per tile in runs of 4 against
 * 10.4-14.3 in runs of 16; then, two sessions at once on RGB bytes, medians 6.8-6.9 CPU-ms per tile
 * in runs of 1 and 2, 7.2-7.3 in runs of 4 (histo-classic-v2: 0.70, 0.71, 0.73; 0.84 in runs of 32).
 * End to end on a 16k slide the difference is within the shared machine's noise: three alternated
 * pairs gave 8.4-8.9 ORT CPU-ms per tile in runs of 2 against 9.2-9.6 in runs of 4, five later ones
 * 9.4-12.0 against 9.8-11.1.
 * Batches still travel and are stored whole; only the runs are cut.
 */
export const CPU_RUN_BATCH = 2;

/**
 * A single-threaded session of a model file up to this size runs CPU_RUN_BATCH tiles at a time; of
 * a larger one, HEAVY_RUN_BATCH. A light network (MobileNetV2, EfficientNet-B0: depthwise layers,
 * few weights, megabytes of activations per tile) keeps a run of two tiles' activations in the
 * core's cache, while a heavy one (ResNet-18 and up) reads each layer's weights from memory once
 * per run, so a larger run reads them once for more tiles. Measured end to end on 2 shared cores,
 * 1,600 tiles of real tissue, two single-threaded sessions, alternated pairs: the bench's
 * ResNet-18-sized model (42 MB) ran 3.4-5.9% faster in runs of 16 than in runs of 2 (batches of
 * 16, four pairs) and 3.6-13% faster (batches of 32, four pairs); MobileNetV2 1.0 (8.4 MB) ran
 * 14-17% slower in runs of 16 (two pairs).
 */
export const LIGHT_MODEL_MAX_BYTES = 32 * 2 ** 20;
/** A heavy model's run: the size measured above, so a large batch does not hold every tile's activations at once. */
export const HEAVY_RUN_BATCH = 16;

/**
 * On the CPU provider, one session with an intra-op thread per core wastes much of each core on a
 * light model: every operator is split across the threads and joined, and a thread spins at each
 * join, so a thread that the preprocessing pre-empts stalls the whole operator. Measured on 2 shared
 * cores with MobileNetV2 1.0: 12 CPU-ms per tile on one thread against 18-21 on two. So a model whose
 * weights fit the budget once per core runs as one single-threaded session per core, each on a whole
 * batch in runs of CPU_RUN_BATCH or HEAVY_RUN_BATCH tiles (by the model's size). A model past the
 * budget (or a GPU provider, or threads set by the caller) keeps one session.
 */
export function planSessions(options: {
  modelBytes: number;
  provider: 'auto' | ExecutionProviderName;
  /** Providers 'auto' would try here, best first. */
  candidates: readonly ExecutionProviderName[];
  intraOpThreads?: number;
  cores?: number;
}): SessionPlan {
  const single: SessionPlan = { sessions: 1, intraOpThreads: options.intraOpThreads };
  if (options.intraOpThreads !== undefined) return single;
  const cpuOnly = options.provider === 'cpu' || (options.provider === 'auto' && options.candidates.every((p) => p === 'cpu'));
  if (!cpuOnly) return single;
  const cores = Math.max(1, options.cores ?? os.availableParallelism());
  const fit = Math.floor(WEIGHT_BUDGET_BYTES / Math.max(1, options.modelBytes));
  const sessions = Math.max(1, Math.min(cores, MAX_SESSIONS, fit));
  if (sessions === 1) return single;
  const intraOpThreads = Math.max(1, Math.floor(cores / sessions));
  // Runs are cut only where that was measured: single-threaded sessions. Threads split a run's work,
  // so a small run leaves them less to share.
  if (intraOpThreads > 1) return { sessions, intraOpThreads };
  return { sessions, intraOpThreads, runBatch: options.modelBytes <= LIGHT_MODEL_MAX_BYTES ? CPU_RUN_BATCH : HEAVY_RUN_BATCH };
}
