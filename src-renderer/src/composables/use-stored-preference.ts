import { ref, watch, type Ref } from 'vue';

/**
 * A per-user setting of the viewers (heatmap opacity, legend position) kept in localStorage, so it
 * survives a restart; a stored value that fails `valid` (an older or hand-edited entry) is ignored.
 */
export function useStoredPreference<T>(key: string, fallback: T, valid: (value: unknown) => value is T): Ref<T> {
  const storageKey = `histo.viewer.${key}`;
  let initial = fallback;
  try {
    const stored = window.localStorage.getItem(storageKey);
    const parsed: unknown = stored === null ? undefined : JSON.parse(stored);
    if (parsed !== undefined && valid(parsed)) initial = parsed;
  } catch {
    // Storage disabled or an unreadable entry: the default serves.
  }
  const value = ref(initial) as Ref<T>;
  watch(
    value,
    (current) => {
      try {
        window.localStorage.setItem(storageKey, JSON.stringify(current));
      } catch {
        // A full or disabled storage only loses the preference, never the view.
      }
    },
    { deep: true },
  );
  return value;
}

export const isUnitNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
