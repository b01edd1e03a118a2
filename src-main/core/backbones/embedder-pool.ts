import type { ExecutionProviderName } from '../../../src-shared/contract';
import type { TileBatch } from './embedder';
import type { TileEmbedder } from './inference-protocol';

/**
 * Several sessions of one backbone behind the TileEmbedder interface: each batch goes to the
 * member with the fewest batches in flight. Members are equal (same model, provider and options),
 * so any of them gives the same embedding for a tile.
 */
export class EmbedderPool implements TileEmbedder {
  private readonly inFlight: number[];

  constructor(private readonly members: readonly TileEmbedder[]) {
    if (members.length === 0) throw new Error('an embedder pool needs at least one session');
    this.inFlight = members.map(() => 0);
  }

  get provider(): ExecutionProviderName {
    return this.members[0]!.provider;
  }

  get dim(): number {
    return this.members[0]!.dim;
  }

  get parallelism(): number {
    return this.members.reduce((n, m) => n + m.parallelism, 0);
  }

  async embedBuffer<T extends TileBatch>(input: T, count: number): Promise<{ output: Float32Array; input: T }> {
    let pick = 0;
    for (let i = 1; i < this.members.length; i++) if (this.inFlight[i]! < this.inFlight[pick]!) pick = i;
    this.inFlight[pick]!++;
    try {
      return await this.members[pick]!.embedBuffer(input, count);
    } finally {
      this.inFlight[pick]!--;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}
