import { ref, type Ref } from 'vue';

const PREFIX = 'histo.recentPaths.';
export const MAX_RECENT_PATHS = 8;

function read(key: string): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(PREFIX + key) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT_PATHS) : [];
  } catch {
    return []; // storage disabled or a garbled entry: start over rather than fail the field
  }
}

/** Newest first, each path once, at most MAX_RECENT_PATHS. */
export function withRecentPath(list: readonly string[], path: string): string[] {
  const trimmed = path.trim();
  if (!trimmed) return [...list];
  return [trimmed, ...list.filter((p) => p !== trimmed)].slice(0, MAX_RECENT_PATHS);
}

/** The paths recently used in one kind of field (projects, slides, label files…), kept in localStorage. */
export function useRecentPaths(key: string): { recent: Ref<string[]>; remember: (path: string) => void } {
  const recent = ref(read(key));
  function remember(path: string): void {
    recent.value = withRecentPath(read(key), path);
    try {
      localStorage.setItem(PREFIX + key, JSON.stringify(recent.value));
    } catch {
      /* storage full or disabled: the list still lives for this session */
    }
  }
  return { recent, remember };
}
