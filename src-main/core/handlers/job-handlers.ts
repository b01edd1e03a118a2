import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';

export function jobHandlers(core: CoreContext): Pick<Handlers, 'job.list' | 'job.cancel' | 'job.result'> {
  return {
    'job.list': () => core.jobs.list(),
    'job.cancel': ({ jobId }) => core.jobs.cancel(jobId),
    'job.result': ({ jobId }) => core.jobs.outcome(jobId),
  };
}
