import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';

export function jobHandlers(core: HistoCore): Pick<Handlers, 'job.list' | 'job.cancel' | 'job.result'> {
  return {
    'job.list': () => core.jobs.list(),
    'job.cancel': ({ jobId }) => core.jobs.cancel(jobId),
    'job.result': ({ jobId }) => core.jobs.outcome(jobId),
  };
}
