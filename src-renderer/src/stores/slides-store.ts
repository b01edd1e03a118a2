import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { SlideOverlay, SlideSummary, SlidesImportResult } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { useProjectStore } from './project-store';

export interface OverlayRequest {
  tileSize: number;
  mpp: number;
  minTissue: number;
}

/** The slides of the open project, the one selected for the viewer, and its overlay. */
export const useSlidesStore = defineStore('slides', () => {
  const slides = ref<SlideSummary[]>([]);
  const selectedId = ref<number | null>(null);
  const loading = ref(false);
  const importing = ref(false);
  const error = ref<HistoCallError | null>(null);
  const lastImport = ref<SlidesImportResult | null>(null);
  /** The slide whose mpp is being saved, and the error of the last attempt, by slide id. */
  const savingMppFor = ref<number | null>(null);
  const mppErrors = ref<Record<number, string>>({});
  const overlay = ref<SlideOverlay | null>(null);
  const overlayLoading = ref(false);
  const overlayError = ref<HistoCallError | null>(null);
  let overlayKey = '';

  const selected = computed(() => slides.value.find((slide) => slide.id === selectedId.value) ?? null);

  // "8 slides imported" and mpp errors speak of one project's slides: forget them when another opens.
  watch(
    () => useProjectStore().current?.path ?? null,
    () => {
      lastImport.value = null;
      mppErrors.value = {};
    },
  );

  function replace(slide: SlideSummary): void {
    const index = slides.value.findIndex((s) => s.id === slide.id);
    if (index === -1) slides.value.push(slide);
    else slides.value.splice(index, 1, slide);
  }

  /** Reloads the list (after a project was opened or closed); the selection survives if the slide does. */
  async function load(): Promise<void> {
    loading.value = true;
    try {
      slides.value = await call('slide.list', {});
      if (selected.value === null) selectedId.value = null;
      error.value = null;
    } catch (err) {
      const callError = toCallError(err, 'slide.list');
      slides.value = [];
      selectedId.value = null;
      // No project open is a state the view explains, not an error.
      error.value = callError.code === 'NO_PROJECT' ? null : callError;
    } finally {
      loading.value = false;
    }
  }

  /** Imports files and folders; returns the result, which also stays in `lastImport` for the view. */
  async function importPaths(paths: string[]): Promise<SlidesImportResult | null> {
    const cleaned = paths.map((p) => p.trim()).filter((p) => p !== '');
    if (cleaned.length === 0 || importing.value) return null;
    importing.value = true;
    try {
      const result = await call('slide.import', { paths: cleaned });
      for (const slide of result.imported) replace(slide);
      slides.value.sort((a, b) => a.id - b.id);
      lastImport.value = result;
      error.value = null;
      if (selectedId.value === null && result.imported.length > 0) selectedId.value = result.imported[0]!.id;
      // The project bar shows how many slides the project holds.
      if (result.imported.length > 0) void useProjectStore().load();
      return result;
    } catch (err) {
      error.value = toCallError(err, 'slide.import');
      return null;
    } finally {
      importing.value = false;
    }
  }

  async function setMpp(slideId: number, mpp: number): Promise<boolean> {
    savingMppFor.value = slideId;
    try {
      replace(await call('slide.setMpp', { slideId, mpp }));
      delete mppErrors.value[slideId];
      if (overlay.value?.slideId === slideId) clearOverlay();
      return true;
    } catch (err) {
      mppErrors.value[slideId] = toCallError(err, 'slide.setMpp').message;
      return false;
    } finally {
      savingMppFor.value = null;
    }
  }

  function select(slideId: number | null): void {
    if (selectedId.value === slideId) return;
    selectedId.value = slideId;
    clearOverlay();
  }

  /** Loads the tile grid and tissue statistics of a slide (once per slide and settings). */
  async function loadOverlay(slideId: number, request: OverlayRequest): Promise<SlideOverlay | null> {
    const key = JSON.stringify([slideId, request]);
    if (key === overlayKey && overlay.value) return overlay.value;
    overlayKey = key;
    overlayLoading.value = true;
    try {
      const result = await call('slide.overlay', { slideId, ...request });
      if (overlayKey !== key) return null; // another slide was selected meanwhile
      overlay.value = result;
      overlayError.value = null;
      return result;
    } catch (err) {
      if (overlayKey === key) {
        overlay.value = null;
        overlayError.value = toCallError(err, 'slide.overlay');
      }
      return null;
    } finally {
      if (overlayKey === key) overlayLoading.value = false;
    }
  }

  function clearOverlay(): void {
    overlayKey = '';
    overlay.value = null;
    overlayError.value = null;
    overlayLoading.value = false;
  }

  function dismissImport(): void {
    lastImport.value = null;
  }

  return {
    slides,
    selectedId,
    selected,
    loading,
    importing,
    error,
    lastImport,
    savingMppFor,
    mppErrors,
    overlay,
    overlayLoading,
    overlayError,
    load,
    importPaths,
    setMpp,
    select,
    loadOverlay,
    clearOverlay,
    dismissImport,
  };
});
