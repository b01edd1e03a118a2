import type { ProjectStore } from '../project/project-store';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { QuantizedIndex } from './quantized-index';

/** Search and the map use the original tile only: augmented views are training material. */
export const SEARCH_VIEW = 0;

/** Vectors read between two turns of the event loop while loading. */
const LOAD_PAGE_ROWS = 16_384;

/**
 * Streams a backbone's stored view-0 vectors into a quantised index, in tile order, without ever
 * holding the float matrix (1M x 1280 floats would be 5 GB). Read block by block with a yield
 * between them, so the process serving the UI keeps answering during a long first load.
 */
export async function loadQuantizedIndex(store: ProjectStore, backboneId: number, dim: number, onProgress?: (done: number) => void): Promise<QuantizedIndex> {
  const index = new QuantizedIndex(dim);
  let sinceYield = 0;
  for (const chunk of new EmbeddingsRepo(store.db).scan(backboneId, dim, SEARCH_VIEW, LOAD_PAGE_ROWS)) {
    index.addBlock(chunk.tileIds, chunk.vectors, chunk.count);
    sinceYield += chunk.count;
    if (sinceYield >= LOAD_PAGE_ROWS) {
      sinceYield = 0;
      onProgress?.(index.count);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return index;
}

/** The stored vectors of `tileIds` (zeros for a tile without one), `tileIds.length x dim`. */
export function storedVectors(store: ProjectStore, backboneId: number, dim: number, tileIds: readonly number[]): Float32Array {
  const out = new Float32Array(tileIds.length * dim);
  const found = new EmbeddingsRepo(store.db).loadMatrix(backboneId, dim, { view: SEARCH_VIEW, tileIds });
  const rowOf = new Map<number, number>();
  found.tileIds.forEach((id, row) => rowOf.set(id, row));
  tileIds.forEach((tileId, i) => {
    const row = rowOf.get(tileId);
    if (row !== undefined) out.set(found.vectors.subarray(row * dim, (row + 1) * dim), i * dim);
  });
  return out;
}

/** Whether a backbone has any view-0 vector: without one, search and map have nothing to work on. */
export function hasStoredVectors(store: ProjectStore, backboneId: number): boolean {
  return new EmbeddingsRepo(store.db).hasAny(backboneId, SEARCH_VIEW);
}
