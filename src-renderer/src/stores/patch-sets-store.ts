import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PatchSetSummary } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';

/** The imported patch folders of the open project: one entry each, never one per image. */
export const usePatchSetsStore = defineStore('patchSets', () => {
  const patchSets = ref<PatchSetSummary[]>([]);
  const error = ref<HistoCallError | null>(null);
  const savingMppFor = ref<number | null>(null);
  const mppErrors = ref<Record<number, string>>({});

  async function load(): Promise<void> {
    try {
      patchSets.value = await call('patchSet.list', {});
      error.value = null;
    } catch (err) {
      const callError = toCallError(err, 'patchSet.list');
      patchSets.value = [];
      error.value = callError.code === 'NO_PROJECT' ? null : callError;
    }
  }

  async function setMpp(patchSetId: number, mpp: number): Promise<boolean> {
    savingMppFor.value = patchSetId;
    try {
      const updated = await call('patchSet.setMpp', { patchSetId, mpp });
      patchSets.value = patchSets.value.map((p) => (p.id === updated.id ? updated : p));
      delete mppErrors.value[patchSetId];
      return true;
    } catch (err) {
      mppErrors.value[patchSetId] = toCallError(err, 'patchSet.setMpp').message;
      return false;
    } finally {
      savingMppFor.value = null;
    }
  }

  return { patchSets, error, savingMppFor, mppErrors, load, setMpp };
});
