import { ref, watch, type Ref } from 'vue';
import { call } from '../api/histo-api';

/**
 * Warnings about predicting these paths with this head (another tile size or resolution than its
 * training data), refreshed whenever the choice changes, for the line beside the predict button.
 */
export function usePredictPreflight(headId: Ref<number | null>, paths: Ref<readonly string[]>): Ref<string[]> {
  const warnings = ref<string[]>([]);
  let latest = 0;
  watch(
    [headId, paths],
    async ([head, chosen]) => {
      const asked = ++latest;
      if (head === null) {
        warnings.value = [];
        return;
      }
      // A check that cannot run is no warning: the prediction itself reports real problems.
      const found = await call('predict.preflight', { head, paths: [...chosen] }).then(
        (result) => result.warnings,
        () => [],
      );
      if (asked === latest) warnings.value = found;
    },
    { immediate: true },
  );
  return warnings;
}
