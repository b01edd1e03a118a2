import type { ProjectStore } from '../project/project-store';
import { decodeVectorInto, type VectorDtype } from '../embeddings/vector-codec';
import { QuantizedIndex } from './quantized-index';

/** Search and the map use the original tile only: augmented views are training material. */
export const SEARCH_VIEW = 0;

/**
 * Streams a backbone's stored view-0 vectors into a quantised index, in tile order, without ever
 * holding the float matrix (1M x 1280 floats would be 5 GB).
 */
export function loadQuantizedIndex(store: ProjectStore, backboneId: number, dim: number, onProgress?: (done: number) => void): QuantizedIndex {
  const index = new QuantizedIndex(dim);
  const vector = new Float32Array(dim);
  const rows = store.db
    .prepare('SELECT tile_id, dtype, vector FROM embeddings WHERE backbone_id = ? AND view = ? ORDER BY tile_id')
    .raw()
    .iterate(backboneId, SEARCH_VIEW) as IterableIterator<[number, VectorDtype, Buffer]>;
  for (const [tileId, dtype, blob] of rows) {
    decodeVectorInto(blob, dtype, dim, vector, 0);
    index.add(tileId, vector);
    if (onProgress && index.count % 65_536 === 0) onProgress(index.count);
  }
  return index;
}

/** The stored vectors of `tileIds` (zeros for a tile without one), `tileIds.length x dim`. */
export function storedVectors(store: ProjectStore, backboneId: number, dim: number, tileIds: readonly number[]): Float32Array {
  const out = new Float32Array(tileIds.length * dim);
  const get = store.db.prepare('SELECT dtype, vector FROM embeddings WHERE backbone_id = ? AND tile_id = ? AND view = ?').raw();
  tileIds.forEach((tileId, i) => {
    const row = get.get(backboneId, tileId, SEARCH_VIEW) as [VectorDtype, Buffer] | undefined;
    if (row) decodeVectorInto(row[1], row[0], dim, out, i * dim);
  });
  return out;
}

/** Whether a backbone has any view-0 vector: without one, search and map have nothing to work on. */
export function hasStoredVectors(store: ProjectStore, backboneId: number): boolean {
  return store.db.prepare('SELECT 1 FROM embeddings WHERE backbone_id = ? AND view = ? LIMIT 1').get(backboneId, SEARCH_VIEW) !== undefined;
}
