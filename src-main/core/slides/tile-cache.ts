import { ByteLru } from '../cache/byte-lru';
import type { RgbImage } from './slide-source';
import { retireTile } from './tile-recycler';

/**
 * Decoded tiles, least recently used evicted first, bounded by their pixel bytes. A tile's buffer
 * goes back to the decode workers for reuse when the cache lets it go (tile-recycler.ts).
 */
export class TileCache extends ByteLru<RgbImage> {
  constructor(maxBytes: number) {
    super(maxBytes, (image) => image.data.byteLength, (image) => retireTile(image.data));
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
