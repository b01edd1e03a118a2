import { computed, ref } from 'vue';
import { call, toCallError, type HistoCallError } from '../api/histo-api';

/**
 * A selection of tiles (search results, a map lasso) and the one action on it: label every
 * selected tile as a class of a task, with the source that says where the selection came from.
 */
export function useTileSelection(source: 'search' | 'map') {
  const selected = ref<Set<number>>(new Set());
  const labelling = ref(false);
  const labelError = ref<HistoCallError | null>(null);
  const lastLabel = ref<{ labelled: number; task: string; className: string } | null>(null);
  const count = computed(() => selected.value.size);
  /** What the last labelling did, in words, for the label bar. */
  const labelDone = computed(() => (lastLabel.value ? `Labelled ${lastLabel.value.labelled} tiles as ${lastLabel.value.className} in ${lastLabel.value.task}.` : null));

  function toggle(tileId: number): void {
    const next = new Set(selected.value);
    if (next.has(tileId)) next.delete(tileId);
    else next.add(tileId);
    selected.value = next;
  }

  function replace(tileIds: Iterable<number>): void {
    selected.value = new Set(tileIds);
  }

  async function label(task: string, className: string): Promise<boolean> {
    if (labelling.value || selected.value.size === 0) return false;
    labelling.value = true;
    try {
      lastLabel.value = await call('search.label', { task, className, tileIds: [...selected.value], source });
      labelError.value = null;
      return true;
    } catch (err) {
      labelError.value = toCallError(err, 'search.label');
      lastLabel.value = null;
      return false;
    } finally {
      labelling.value = false;
    }
  }

  return { selected, count, labelling, labelError, lastLabel, labelDone, toggle, replace, label };
}
