import type { ProjectStore } from '../project/project-store';
import { PredictionsRepo } from '../project/repos/predictions-repo';

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
  return new PredictionsRepo(store.db).slideTiles(headId, slideId).map((r) => ({ ...r, probs: probabilitiesFromBlob(r.probs) }));
}

/** A stored probability BLOB as floats, copied out of the Buffer pool (its offset need not be 4-byte aligned). */
export function probabilitiesFromBlob(blob: Buffer): Float32Array {
  const probs = new Float32Array(blob.byteLength / 4);
  new Uint8Array(probs.buffer).set(blob);
  return probs;
}

/** The index of the largest value (the predicted class): one rule with the renderer's, in src-shared. */
export { argmaxOf as argmax } from '../../../src-shared/domain/class-focus';
