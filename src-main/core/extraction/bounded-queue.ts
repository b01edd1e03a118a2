/**
 * A FIFO of at most `capacity` items between two async loops: `push` waits while it is full,
 * `shift` waits while it is empty. It is what lets decoding, inference and writing overlap without
 * decoding running arbitrarily far ahead (memory stays bounded).
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: unknown = undefined;
  private readonly waitingTakers: Array<() => void> = [];
  private readonly waitingGivers: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((r) => this.waitingGivers.push(r));
    if (this.closed) throw this.failure ?? new Error('queue closed');
    this.items.push(item);
    this.waitingTakers.shift()?.();
  }

  /** The next item, or undefined once the queue is closed and drained. */
  async shift(): Promise<T | undefined> {
    while (this.items.length === 0) {
      if (this.closed) {
        if (this.failure !== undefined) throw this.failure;
        return undefined;
      }
      await new Promise<void>((r) => this.waitingTakers.push(r));
    }
    const item = this.items.shift();
    this.waitingGivers.shift()?.();
    return item;
  }

  /** Whether no more items will come: the items still queued are the last. */
  get isClosed(): boolean {
    return this.closed;
  }

  get size(): number {
    return this.items.length;
  }

  /** No more items; with an error, both sides fail with it. */
  close(error?: unknown): void {
    this.closed = true;
    if (error !== undefined) this.failure = error;
    for (const wake of this.waitingTakers.splice(0)) wake();
    for (const wake of this.waitingGivers.splice(0)) wake();
  }
}
