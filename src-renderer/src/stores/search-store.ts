import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { SearchFilters, SearchQuery, SearchResponse } from '../../../src-shared/contract';
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
  /** Narrow the results: one slide only, and/or tiles the chosen task has not labelled yet. */
  const onlySlide = ref<number | null>(null);
  const onlyUnlabelled = ref(false);
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
      const filters: SearchFilters = {
        ...(onlySlide.value !== null ? { slideIds: [onlySlide.value] } : {}),
        ...(onlyUnlabelled.value && task.value ? { labelState: { task: task.value, state: 'unlabelled' as const } } : {}),
      };
      response.value = await call('search.run', { backbone: backbone.value, query, k: k.value, filters, ...(task.value ? { task: task.value } : {}) });
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

  return { backbone, k, task, onlySlide, onlyUnlabelled, response, running, error, focus, ...selection, search, open, selectAll, labelSelected };
});
