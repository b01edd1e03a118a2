import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { SlideStatus, SlideStatusList } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';

/**
 * Where each slide of the open project stands: embedded (by which backbones), predicted, reviewed.
 * One call answers for every slide, so the Slides list filters 10,000 slides without asking again.
 */
export const useSlideStatusStore = defineStore('slide-status', () => {
  const list = ref<SlideStatusList>({ backbones: [], slides: [] });
  const error = ref<HistoCallError | null>(null);
  let loadCount = 0;

  const bySlide = computed(() => new Map<number, SlideStatus>(list.value.slides.map((status) => [status.slideId, status])));
  const backbones = computed(() => list.value.backbones);

  async function load(): Promise<void> {
    const mine = ++loadCount;
    try {
      const result = await call('slide.status', {});
      if (mine !== loadCount) return; // a later load (another project, a finished job) answers instead
      list.value = result;
      error.value = null;
    } catch (err) {
      if (mine !== loadCount) return;
      const callError = toCallError(err, 'slide.status');
      list.value = { backbones: [], slides: [] };
      error.value = callError.code === 'NO_PROJECT' ? null : callError;
    }
  }

  function statusOf(slideId: number): SlideStatus | undefined {
    return bySlide.value.get(slideId);
  }

  return { list, backbones, error, load, statusOf };
});
