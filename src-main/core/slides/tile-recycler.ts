/**
 * Decoded tile buffers handed back to the decode workers once the tile cache lets them go, instead
 * of a new buffer per tile.
 *
 * Why: a decoded 256 px tile is 192 KiB. Each new buffer a worker transfers here counts as new
 * external memory, and V8 answers it with a major GC every few dozen region reads, whose cost grows
 * with the live heap. Measured on 2 cores (random 224 px reads of a 20k JPEG pyramid): a process
 * holding 35 MB of live objects read at half the rate of a bare one, and the same reads in a heap
 * started at 256 MB ran 1.2-1.3x faster. A buffer transferred back and forth is not new memory to
 * V8: in a microbench of 6,000 tiles, fresh buffers cost the receiving thread 17 major GCs,
 * recycled ones none.
 *
 * Lifetime: the cache holds a tile until it evicts it; a region read may still be copying out of
 * it then. Reads that may look at tiles take a holdTiles(); a retired buffer goes back to a worker
 * only once every hold that began before its retirement has ended. Once sent, the buffer is
 * detached here, so a tile kept past its hold reads as empty, never as another tile's pixels.
 */

/** Region reads under way, each with the retirement count when it began. */
const holds = new Map<number, number>();
let nextHold = 1;
let retirements = 0;

/**
 * Marks a read that may look at cached tiles until the returned function is called: buffers
 * retired meanwhile are not reused before then.
 */
export function holdTiles(): () => void {
  const id = nextHold++;
  holds.set(id, retirements);
  return () => void holds.delete(id);
}

/** Buffers retired at or before this count are no longer visible to any hold. */
function safeRetirement(): number {
  let min = Infinity;
  for (const start of holds.values()) if (start < min) min = start;
  return min;
}

/** The recycler each adopted buffer goes back to. */
const owners = new WeakMap<ArrayBuffer, TileRecycler>();

/** Hands a tile's buffer back for reuse when a recycler adopted it (a no-op for any other buffer). */
export function retireTile(data: Uint8Array): void {
  const buffer = data.buffer as ArrayBuffer;
  const owner = owners.get(buffer);
  if (!owner) return;
  owners.delete(buffer);
  owner.retire(buffer);
}

export class TileRecycler {
  private readonly retired: Array<{ buffer: ArrayBuffer; at: number }> = [];
  private ready: ArrayBuffer[] = [];

  /**
   * @param maxKept buffers kept (waiting for their holds, or for a worker) past this are forgotten
   *   and left to the garbage collector: a closed slide's tiles do not stay in memory.
   */
  constructor(readonly maxKept = 64) {}

  /** Marks the buffer of a tile bound for the tile cache as one to recycle when the cache lets it go. */
  adopt(data: Uint8Array): void {
    if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer)) owners.set(data.buffer as ArrayBuffer, this);
  }

  retire(buffer: ArrayBuffer): void {
    this.retired.push({ buffer, at: ++retirements });
    this.settle();
  }

  /** Up to `count` buffers that no read can still see, to transfer to a worker: the latest first, still in the caches. */
  take(count: number): ArrayBuffer[] {
    this.settle();
    return this.ready.splice(Math.max(0, this.ready.length - count), count);
  }

  private settle(): void {
    const safe = safeRetirement();
    let n = 0;
    while (n < this.retired.length && this.retired[n]!.at <= safe) n++;
    for (const { buffer } of this.retired.splice(0, n)) this.ready.push(buffer);
    if (this.ready.length > this.maxKept) this.ready.splice(0, this.ready.length - this.maxKept);
    if (this.retired.length > this.maxKept) this.retired.splice(0, this.retired.length - this.maxKept);
  }

  /** Retired buffers not yet safe to reuse, and safe ones waiting for a worker. */
  get pending(): { retired: number; ready: number } {
    return { retired: this.retired.length, ready: this.ready.length };
  }
}
