import { storeToRefs } from 'pinia';
import { computed, watch, type Ref } from 'vue';
import { useBackbonesStore } from '../stores/backbones-store';
import { useProjectStore } from '../stores/project-store';
import { useSlidesStore } from '../stores/slides-store';
import { useTasksStore } from '../stores/tasks-store';

/**
 * What the views over stored embeddings (Search, Map) need: the project's backbones that have
 * vectors, its slides and tasks, reloaded when another project opens; `chosen` is kept on a
 * backbone with vectors.
 */
export function useEmbeddedBackbones(chosen: Ref<number | null>) {
  const { isOpen, current } = storeToRefs(useProjectStore());
  const backbonesStore = useBackbonesStore();
  const slidesStore = useSlidesStore();
  const tasksStore = useTasksStore();
  const { backbones } = storeToRefs(backbonesStore);
  const { slides } = storeToRefs(slidesStore);
  const { tasks } = storeToRefs(tasksStore);

  watch(
    () => current.value?.path ?? null,
    () => {
      void backbonesStore.load();
      void slidesStore.load();
      void tasksStore.load();
    },
    { immediate: true },
  );

  const embedded = computed(() => backbones.value.filter((b) => b.embeddings > 0));
  watch(
    embedded,
    (list) => {
      if (chosen.value === null || !list.some((b) => b.id === chosen.value)) chosen.value = list[0]?.id ?? null;
    },
    { immediate: true },
  );

  return { isOpen, current, embedded, slides, tasks };
}
