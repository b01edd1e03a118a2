import type { RgbImage } from './slide-source';

/**
 * Decoded tiles, least recently used evicted first, bounded by bytes. Concurrent requests for
 * a tile being decoded share one decode.
 */
export class TileCache {
  private readonly entries = new Map<string, RgbImage>();
  private readonly pending = new Map<string, Promise<RgbImage>>();
  private bytes = 0;

  constructor(public maxBytes: number) {}

  get usedBytes(): number {
    return this.bytes;
  }

  get(key: string, load: () => Promise<RgbImage>): Promise<RgbImage> {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert: Map iteration order is our recency order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return Promise.resolve(hit);
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const promise = load().then(
      (image) => {
        this.pending.delete(key);
        this.put(key, image);
        return image;
      },
      (err: unknown) => {
        this.pending.delete(key);
        throw err;
      },
    );
    this.pending.set(key, promise);
    return promise;
  }

  /** Drops every tile whose key starts with `prefix` (a closed slide's). */
  evictPrefix(prefix: string): void {
    for (const [key, image] of this.entries) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        this.bytes -= image.data.byteLength;
      }
    }
  }

  private put(key: string, image: RgbImage): void {
    const size = image.data.byteLength;
    if (size > this.maxBytes) return;
    this.entries.set(key, image);
    this.bytes += size;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= old.data.byteLength;
    }
  }
}

let shared: TileCache | undefined;

/** The process-wide tile cache (256 MiB unless HISTO_TILE_CACHE_MB says otherwise). */
export function sharedTileCache(): TileCache {
  if (!shared) {
    const mb = Number(process.env.HISTO_TILE_CACHE_MB);
    shared = new TileCache((Number.isFinite(mb) && mb >= 0 ? mb : 256) * 1024 * 1024);
  }
  return shared;
}
