import type { JobEvent, JobKind, JobOutcome, JobResult } from '../../../src-shared/contract';
import { call, HistoCallError, onEvent } from './histo-api';

/** How often to ask for a job's outcome when no event tells us (the event socket may be reconnecting). */
const POLL_MS = 3000;

function finished(state: JobEvent['state']): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

/**
 * Resolves with a job's outcome once it has ended (done, failed or cancelled). It listens for the
 * job's last `job.progress` event, and also asks at once, because a short job (a training on a few
 * hundred tiles) can end before the call that started it has even answered.
 */
export function waitForJobOutcome(jobId: string, pollMs = POLL_MS): Promise<JobOutcome> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setInterval> | null = null;
    const stop = onEvent('job.progress', (event) => {
      if (event.jobId === jobId && finished(event.state)) void check();
    });
    function settle(action: () => void): void {
      if (settled) return;
      settled = true;
      stop();
      if (timer !== null) clearInterval(timer);
      action();
    }
    async function check(): Promise<void> {
      if (settled) return;
      try {
        const outcome = await call('job.result', { jobId });
        if (outcome === null) settle(() => reject(new HistoCallError('NOT_FOUND', `job ${jobId} is no longer known to the core (was it restarted?)`, 'job.result')));
        else if (finished(outcome.state)) settle(() => resolve(outcome));
      } catch (err) {
        settle(() => reject(err));
      }
    }
    timer = setInterval(() => void check(), pollMs);
    void check();
  });
}

/**
 * A finished job's result, typed by its kind, or the sentence to show instead: the job's own error
 * when it failed. The core checked the result against the contract's schema for its kind (job.result's
 * output), so nothing is parsed again here.
 */
export function readJobResult<K extends JobKind>(outcome: JobOutcome, kind: K): { value: JobResult<K> } | { error: string } {
  if (outcome.state === 'cancelled') return { error: 'Cancelled.' };
  if (outcome.error) return { error: outcome.error.message };
  if (outcome.kind !== kind || outcome.result === null) return { error: `job ${outcome.jobId} is a ${outcome.kind} job without a ${kind} result` };
  return { value: outcome.result as JobResult<K> };
}
