import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AuditEntry } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';

/** Most entries the trail loads at once: the contract's own limit; the list is virtual, so they all fit. */
export const AUDIT_ENTRIES_SHOWN = 10_000;

/** The open project's audit trail: which action, when, by which app version and model. */
export const useAuditStore = defineStore('audit', () => {
  // Shallow: entries are read, never edited, and 10,000 of them need no deep reactivity.
  const entries = shallowRef<AuditEntry[]>([]);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);

  async function load(action?: string): Promise<void> {
    loading.value = true;
    try {
      entries.value = await call('audit.list', { limit: AUDIT_ENTRIES_SHOWN, ...(action ? { action } : {}) });
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
