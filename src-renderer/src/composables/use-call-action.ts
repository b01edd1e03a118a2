import { ref, type Ref } from 'vue';
import type { MethodName, MethodOutput } from '../../../src-shared/contract';
import { toCallError, type HistoCallError } from '../api/histo-api';

/**
 * One action of a store that calls the core and keeps its latest result and error for the form
 * that started it: a new start is refused while one runs, success clears the error, failure
 * clears the result.
 */
export function useCallAction<M extends MethodName>(method: M) {
  type Result = MethodOutput<M>;
  const running = ref(false);
  const error = ref<HistoCallError | null>(null);
  const result = ref(null) as Ref<Result | null>;

  async function run(perform: () => Promise<Result>): Promise<Result | null> {
    if (running.value) return null;
    running.value = true;
    try {
      const value = await perform();
      result.value = value;
      error.value = null;
      return value;
    } catch (err) {
      error.value = toCallError(err, method);
      result.value = null;
      return null;
    } finally {
      running.value = false;
    }
  }

  function clear(): void {
    error.value = null;
    result.value = null;
  }

  return { running, error, result, run, clear };
}
