import { openSlide } from '../slides/open-slide';
import type { SlideSource } from '../slides/slide-source';

interface Entry {
  source: Promise<SlideSource>;
  /** Reads in progress; an evicted slide is closed only once this drops to zero. */
  leases: number;
  evicted: boolean;
}

/**
 * Keeps the most recently viewed slides open (their file handles, parsed headers and decoded
 * tile caches) so tile requests do not reopen the file; the least recently used is closed when
 * more than `capacity` are open, but never under a read that is still running.
 */
export class OpenSlideCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly capacity: number,
    private readonly open: (file: string) => Promise<SlideSource> = (file) => openSlide(file),
  ) {}

  get openCount(): number {
    return this.entries.size;
  }

  /** Runs `read` with the open slide of `file`, opening it first if needed. */
  async use<T>(file: string, read: (source: SlideSource) => Promise<T>): Promise<T> {
    let entry = this.entries.get(file);
    if (entry) {
      this.entries.delete(file);
      this.entries.set(file, entry);
    } else {
      entry = { source: this.open(file), leases: 0, evicted: false };
      this.entries.set(file, entry);
      // A file that fails to open is not kept: the next request tries again (it may have been fixed).
      entry.source.catch(() => {
        if (this.entries.get(file) === entry) this.entries.delete(file);
      });
      this.evictOverflow();
    }
    entry.leases++;
    try {
      return await read(await entry.source);
    } finally {
      entry.leases--;
      if (entry.evicted && entry.leases === 0) void closeQuietly(entry);
    }
  }

  /** Closes one file's slide (e.g. after it changed on disk). */
  forget(file: string): void {
    const entry = this.entries.get(file);
    if (!entry) return;
    this.entries.delete(file);
    this.retire(entry);
  }

  closeAll(): void {
    for (const entry of this.entries.values()) this.retire(entry);
    this.entries.clear();
  }

  private evictOverflow(): void {
    for (const [file, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(file);
      this.retire(entry);
    }
  }

  private retire(entry: Entry): void {
    entry.evicted = true;
    if (entry.leases === 0) void closeQuietly(entry);
  }
}

async function closeQuietly(entry: Entry): Promise<void> {
  try {
    await (await entry.source).close();
  } catch {
    /* it never opened, or is already closed: nothing to release */
  }
}
