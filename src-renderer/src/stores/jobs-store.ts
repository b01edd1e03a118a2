import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { JobEvent } from '../../../src-shared/contract';
import { call, onEvent, toCallError, type HistoCallError } from '../api/histo-api';

/** Finished jobs kept for the panel; older ones drop off. */
const FINISHED_KEPT = 20;

export function isActive(job: JobEvent): boolean {
  return job.state === 'running';
}

/** Long jobs of the core (extraction, training, ...) as the latest progress event of each. */
export const useJobsStore = defineStore('jobs', () => {
  const jobs = ref<JobEvent[]>([]);
  const cancelling = ref<string[]>([]);
  const error = ref<HistoCallError | null>(null);
  let unsubscribe: (() => void) | null = null;

  const active = computed(() => jobs.value.filter(isActive));
  const finished = computed(() => jobs.value.filter((job) => !isActive(job)));

  function upsert(event: JobEvent): void {
    const index = jobs.value.findIndex((job) => job.jobId === event.jobId);
    if (index === -1) jobs.value.push(event);
    else jobs.value.splice(index, 1, event);
    if (!isActive(event)) cancelling.value = cancelling.value.filter((id) => id !== event.jobId);
    const done = jobs.value.filter((job) => !isActive(job));
    if (done.length > FINISHED_KEPT) {
      const dropped = new Set(done.slice(0, done.length - FINISHED_KEPT).map((job) => job.jobId));
      jobs.value = jobs.value.filter((job) => !dropped.has(job.jobId));
    }
  }

  /** Subscribes to job.progress (once) and fills in the jobs that were running before we listened. */
  async function start(): Promise<void> {
    if (unsubscribe) return;
    const seenLive = new Set<string>();
    unsubscribe = onEvent('job.progress', (event) => {
      seenLive.add(event.jobId);
      upsert(event);
    });
    try {
      const listed = await call('job.list', {});
      // An event that arrived while the list was on its way is newer than the list's entry.
      for (const job of listed) if (!seenLive.has(job.jobId)) upsert(job);
      error.value = null;
    } catch (err) {
      error.value = toCallError(err, 'job.list');
    }
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  /** Asks the core to cancel; the job leaves the active list when its `cancelled` event arrives. */
  async function cancel(jobId: string): Promise<boolean> {
    if (cancelling.value.includes(jobId)) return false;
    cancelling.value.push(jobId);
    try {
      const accepted = await call('job.cancel', { jobId });
      if (!accepted) cancelling.value = cancelling.value.filter((id) => id !== jobId);
      error.value = null;
      return accepted;
    } catch (err) {
      cancelling.value = cancelling.value.filter((id) => id !== jobId);
      error.value = toCallError(err, 'job.cancel');
      return false;
    }
  }

  function clearFinished(): void {
    jobs.value = jobs.value.filter(isActive);
  }

  return { jobs, active, finished, cancelling, error, start, stop, cancel, clearFinished };
});
