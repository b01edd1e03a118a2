import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AuditEntry } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';

/** The open project's audit trail: which action, when, by which app version and model. */
export const useAuditStore = defineStore('audit', () => {
  const entries = ref<AuditEntry[]>([]);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);

  async function load(action?: string): Promise<void> {
    loading.value = true;
    try {
      entries.value = await call('audit.list', { limit: 200, ...(action ? { action } : {}) });
      error.value = null;
    } catch (err) {
      entries.value = [];
      error.value = toCallError(err, 'audit.list');
    } finally {
      loading.value = false;
    }
  }

  return { entries, loading, error, load };
});
