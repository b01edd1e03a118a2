import os from 'node:os';
import type { ExecutionProviderName } from '../../../src-shared/contract';

/** How many backbone sessions run side by side, and how many threads each uses. */
export interface SessionPlan {
  sessions: number;
  /** ONNX Runtime's intra-op threads per session; undefined lets it pick (one per core). */
  intraOpThreads: number | undefined;
}

/** Never more sessions than this: past it the calling thread cannot feed them anyway. */
const MAX_SESSIONS = 4;
/** Model bytes all sessions together may hold: each session keeps its own copy of the weights. */
const WEIGHT_BUDGET_BYTES = 512 * 2 ** 20;

/**
 * On the CPU provider, one session with an intra-op thread per core wastes much of each core on a
 * light model: every operator is split across the threads and joined, and a thread spins at each
 * join, so a thread that the preprocessing pre-empts stalls the whole operator. Measured on 2 shared
 * cores with MobileNetV2 1.0: 12 CPU-ms per tile on one thread against 18-21 on two. So a model whose
 * weights fit the budget runs as one single-threaded session per core, each on a whole batch. A
 * heavy model (or a GPU provider, or threads set by the caller) keeps one session.
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
  return { sessions, intraOpThreads: Math.max(1, Math.floor(cores / sessions)) };
}
