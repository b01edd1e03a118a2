import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { MethodName, ProjectSummary } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';

/** The project file the core has open (one SQLite file), and the actions that change it. */
export const useProjectStore = defineStore('project', () => {
  const current = ref<ProjectSummary | null>(null);
  const busy = ref(false);
  const error = ref<HistoCallError | null>(null);
  const isOpen = computed(() => current.value !== null);

  /** Runs one project call at a time; errors land in `error` and the call reports false. */
  async function run(method: MethodName, action: () => Promise<void>): Promise<boolean> {
    busy.value = true;
    try {
      await action();
      error.value = null;
      return true;
    } catch (err) {
      error.value = toCallError(err, method);
      return false;
    } finally {
      busy.value = false;
    }
  }

  const load = () =>
    run('project.current', async () => {
      current.value = await call('project.current', {});
    });

  const create = (path: string) =>
    run('project.create', async () => {
      current.value = await call('project.create', { path: path.trim() });
    });

  const open = (path: string) =>
    run('project.open', async () => {
      current.value = await call('project.open', { path: path.trim() });
    });

  const close = () =>
    run('project.close', async () => {
      await call('project.close', {});
      current.value = null;
    });

  function clearError(): void {
    error.value = null;
  }

  return { current, busy, error, isOpen, load, create, open, close, clearError };
});
