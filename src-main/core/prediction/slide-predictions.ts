import type { ProjectStore } from '../project/project-store';

export interface TilePrediction {
  tileId: number;
  x: number;
  y: number;
  width: number;
  height: number;
  probs: Float32Array;
}

/** The stored predictions of a head over one slide, in reading order. */
export function loadSlidePredictions(store: ProjectStore, headId: number, slideId: number): TilePrediction[] {
  const rows = store.db
    .prepare(
      `SELECT t.id AS tileId, t.x, t.y, t.width, t.height, p.probs FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id
       WHERE p.head_id = ? AND g.slide_id = ? ORDER BY t.y, t.x`,
    )
    .all(headId, slideId) as Array<Omit<TilePrediction, 'probs'> & { probs: Buffer }>;
  return rows.map((r) => ({ ...r, probs: probabilitiesFromBlob(r.probs) }));
}

/** A stored probability BLOB as floats, copied out of the Buffer pool (its offset need not be 4-byte aligned). */
export function probabilitiesFromBlob(blob: Buffer): Float32Array {
  const probs = new Float32Array(blob.byteLength / 4);
  new Uint8Array(probs.buffer).set(blob);
  return probs;
}

/** The index of the largest value (the predicted class): one rule with the renderer's, in src-shared. */
export { argmaxOf as argmax } from '../../../src-shared/domain/class-focus';
