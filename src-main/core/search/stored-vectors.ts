import type { ProjectStore } from '../project/project-store';
import { decodeVectorInto, type VectorDtype } from '../embeddings/vector-codec';
import { QuantizedIndex } from './quantized-index';

/** Search and the map use the original tile only: augmented views are training material. */
export const SEARCH_VIEW = 0;

/** Rows read per page while loading: the event loop gets a turn between pages. */
const LOAD_PAGE_ROWS = 16_384;

/**
 * Streams a backbone's stored view-0 vectors into a quantised index, in tile order, without ever
 * holding the float matrix (1M x 1280 floats would be 5 GB). Read page by page (keyset on tile id)
 * with a yield between pages, so the process serving the UI keeps answering during a long first load.
 */
export async function loadQuantizedIndex(store: ProjectStore, backboneId: number, dim: number, onProgress?: (done: number) => void): Promise<QuantizedIndex> {
  const index = new QuantizedIndex(dim);
  const vector = new Float32Array(dim);
  const page = store.db.prepare('SELECT tile_id, dtype, vector FROM embeddings WHERE backbone_id = ? AND view = ? AND tile_id > ? ORDER BY tile_id LIMIT ?').raw();
  let after = -1;
  for (;;) {
    const rows = page.all(backboneId, SEARCH_VIEW, after, LOAD_PAGE_ROWS) as Array<[number, VectorDtype, Buffer]>;
    for (const [tileId, dtype, blob] of rows) {
      decodeVectorInto(blob, dtype, dim, vector, 0);
      index.add(tileId, vector);
    }
    if (rows.length < LOAD_PAGE_ROWS) break;
    after = rows[rows.length - 1]![0];
    onProgress?.(index.count);
    await new Promise((resolve) => setImmediate(resolve));
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
