import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { SearchQuery, SearchResponse } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { useTileSelection } from '../composables/use-tile-selection';
import { useProjectStore } from './project-store';

/**
 * Search by example: the query (a clicked point of a slide, a tile, an image file), its results,
 * which result the viewer shows, and the selection that gets labelled in one action.
 */
/** A tile shown in the viewer: where it is. */
export interface TileLocation {
  tileId: number;
  slideId: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export const useSearchStore = defineStore('search', () => {
  const backbone = ref<number | null>(null);
  const k = ref(50);
  const task = ref<string | null>(null);
  const response = ref<SearchResponse | null>(null);
  const running = ref(false);
  const error = ref<HistoCallError | null>(null);
  const focus = ref<TileLocation | null>(null);
  const selection = useTileSelection('search');

  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      response.value = null;
      error.value = null;
      focus.value = null;
      selection.replace([]);
    },
  );

  async function search(query: SearchQuery): Promise<void> {
    if (backbone.value === null || running.value) return;
    running.value = true;
    try {
      response.value = await call('search.run', { backbone: backbone.value, query, k: k.value, ...(task.value ? { task: task.value } : {}) });
      error.value = null;
      selection.replace([]);
    } catch (err) {
      error.value = toCallError(err, 'search.run');
    } finally {
      running.value = false;
    }
  }

  function open(tile: TileLocation): void {
    focus.value = { tileId: tile.tileId, slideId: tile.slideId, x: tile.x, y: tile.y, width: tile.width, height: tile.height };
  }

  function selectAll(): void {
    selection.replace(response.value?.results.map((r) => r.tileId) ?? []);
  }

  async function labelSelected(className: string): Promise<void> {
    if (!task.value) return;
    const ok = await selection.label(task.value, className);
    // Show the new labels on the results at once.
    if (ok && response.value) {
      const chosen = selection.selected.value;
      response.value = { ...response.value, results: response.value.results.map((r) => (chosen.has(r.tileId) ? { ...r, label: className } : r)) };
    }
  }

  return { backbone, k, task, response, running, error, focus, ...selection, search, open, selectAll, labelSelected };
});
