/**
 * The one least-recently-used cache of the core (decoded slide tiles, rendered images, tissue
 * masks): bounded by the bytes of its values; concurrent loads of one key share a single promise,
 * so a burst of identical tile requests decodes or renders the tile once. Not `lru-cache`: its
 * loader is fixed per cache, and here every call brings its own.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private readonly pending = new Map<string, Promise<V>>();
  private used = 0;

  /** @param dispose called with every value the cache lets go of (evicted, refused, cleared), e.g. to reuse its memory. */
  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
    private readonly dispose: (value: V) => void = () => {},
  ) {}

  get usedBytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is recency order: re-insert to mark as most recent.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const promise = load().finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    const value = await promise;
    this.put(key, value);
    return value;
  }

  /** Drops every entry whose key starts with `prefix` (a closed slide's). */
  evictPrefix(prefix: string): void {
    for (const [key, entry] of this.entries) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        this.used -= entry.bytes;
        this.dispose(entry.value);
      }
    }
  }

  clear(): void {
    for (const entry of this.entries.values()) this.dispose(entry.value);
    this.entries.clear();
    this.used = 0;
  }

  private put(key: string, value: V): void {
    const bytes = this.sizeOf(value);
    if (bytes > this.maxBytes || this.entries.has(key)) {
      this.dispose(value);
      return;
    }
    this.entries.set(key, { value, bytes });
    this.used += bytes;
    for (const [oldKey, old] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.used -= old.bytes;
      this.dispose(old.value);
    }
  }
}
