import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import type { TaskLabelColumns } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { useProjectStore } from './project-store';

/**
 * Every label of one task, as columns (one call, however many labels), for the label table. Held
 * shallowly: 100,000 labels must not become 800,000 reactive cells.
 */
export const useTaskLabelsStore = defineStore('task-labels', () => {
  const columns = shallowRef<TaskLabelColumns | null>(null);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);
  let loadCount = 0;

  watch(
    () => useProjectStore().current?.path ?? null,
    () => {
      loadCount++;
      columns.value = null;
      error.value = null;
    },
  );

  async function load(task: string): Promise<void> {
    const mine = ++loadCount;
    loading.value = true;
    try {
      const result = await call('label.list', { task });
      if (mine !== loadCount) return; // another task (or project) was chosen meanwhile
      columns.value = result;
      error.value = null;
    } catch (err) {
      if (mine !== loadCount) return;
      columns.value = null;
      error.value = toCallError(err, 'label.list');
    } finally {
      if (mine === loadCount) loading.value = false;
    }
  }

  return { columns, loading, error, load };
});
