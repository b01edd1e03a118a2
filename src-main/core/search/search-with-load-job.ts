import type { SearchRequest, SearchResponse } from '../../../src-shared/contract';
import type { CoreContext } from '../core-context';
import type { JobContext } from '../jobs/job-registry';
import { searchProject } from './search-project';

/** The kind of job a first search shows while it loads the backbone's index. */
export const SEARCH_INDEX_JOB = 'search-index';

interface LoadJob {
  ctx: JobContext;
  end(outcome: { loaded: number } | Error): void;
}

function startLoadJob(core: CoreContext): LoadJob {
  let ctx: JobContext | undefined;
  let end!: LoadJob['end'];
  core.jobs.start(
    SEARCH_INDEX_JOB,
    // The registry calls this at once, so `ctx` is set when `start` returns.
    (jobCtx) =>
      new Promise<{ loaded: number }>((resolve, reject) => {
        ctx = jobCtx;
        end = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
      }),
  );
  return { ctx: ctx!, end };
}

/**
 * `search.run` as the app calls it. A first search of a large study loads the backbone's index
 * (seconds): that load appears as a job, with progress in the jobs panel, and cancelling it stops
 * the load (the cache keeps nothing) and fails the search as CANCELLED. A search that finds its
 * index loaded, or one too small to need a turn of the event loop, starts no job.
 */
export async function searchWithLoadJob(core: CoreContext, request: SearchRequest): Promise<SearchResponse> {
  const store = core.requireProject();
  let job = null as LoadJob | null;
  let loaded = 0;
  const onLoadProgress = (done: number) => {
    job ??= startLoadJob(core);
    loaded = done;
    job.ctx.progress(done, null, `${done.toLocaleString('en-US')} vectors loaded`);
    // Thrown inside the load, between two pages: it ends the load, not just this wait.
    job.ctx.throwIfCancelled();
  };
  try {
    const response = await searchProject(store, request, onLoadProgress);
    job?.end({ loaded });
    return response;
  } catch (err) {
    job?.end(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}
