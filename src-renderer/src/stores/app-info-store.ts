import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';

/** What the core says about itself: version, runtime, execution providers, project paths. */
export const useAppInfoStore = defineStore('appInfo', () => {
  const info = ref<AppInfo | null>(null);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      info.value = await call('app.info', {});
      error.value = null;
    } catch (err) {
      error.value = toCallError(err, 'app.info');
    } finally {
      loading.value = false;
    }
  }

  return { info, loading, error, load };
});
