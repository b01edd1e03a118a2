import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DemoSummary } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { waitForJobOutcome } from '../api/job-outcome';
import { useProjectStore } from './project-store';

/** "Open the demo study": builds it once (a job with progress in the Jobs panel), then opens it. */
export const useDemoStore = defineStore('demo', () => {
  const jobId = ref<string | null>(null);
  const error = ref<HistoCallError | null>(null);
  const opened = ref<DemoSummary | null>(null);

  async function open(): Promise<boolean> {
    if (jobId.value) return false;
    error.value = null;
    try {
      const started = await call('demo.open', {});
      jobId.value = started.jobId;
      const outcome = await waitForJobOutcome(started.jobId);
      if (outcome.state !== 'done') {
        error.value = toCallError(new Error(outcome.error?.message ?? `the demo study was ${outcome.state}`), 'demo.open');
        return false;
      }
      opened.value = outcome.result as DemoSummary;
      // The core opened the demo project: every area reloads from the project's change.
      await useProjectStore().load();
      return true;
    } catch (err) {
      error.value = toCallError(err, 'demo.open');
      return false;
    } finally {
      jobId.value = null;
    }
  }

  return { jobId, error, opened, open };
});
