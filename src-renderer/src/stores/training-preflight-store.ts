import { defineStore } from 'pinia';
import { ref } from 'vue';
import { call } from '../api/histo-api';

/** Warnings about a task's labels (mixed resolutions, patches without mpp), shown before training starts. */
export const useTrainingPreflightStore = defineStore('trainingPreflight', () => {
  const warnings = ref<string[]>([]);
  let asked = '';

  async function check(task: string): Promise<void> {
    asked = task;
    if (!task) {
      warnings.value = [];
      return;
    }
    try {
      const result = await call('train.preflight', { task });
      if (asked === task) warnings.value = result.warnings;
    } catch {
      // A check that cannot run is no warning; training itself reports real problems.
      if (asked === task) warnings.value = [];
    }
  }

  return { warnings, check };
});
