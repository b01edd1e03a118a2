import type { HeadKind } from '../heads/head';
import type { ParamValue } from '../heads/evaluate';

/** What `--search` tries per head kind: a small grid that covers the useful range. */
export const defaultSearchSpaces: Record<HeadKind, Record<string, readonly ParamValue[]>> = {
  logreg: { l2: [0.01, 0.1, 1, 10, 100] },
  mlp: { hidden: [[128], [256], [256, 128]], dropout: [0, 0.3], weightDecay: [1e-4, 1e-2] },
  knn: { k: [5, 15, 31], distanceWeighted: [false, true] },
};

/**
 * Defaults of each kind when the user sets nothing: rare classes weigh as much as common ones, and
 * the preprocessing and regulariser are chosen by nested CV ('auto', see heads/auto-preprocessing.ts).
 */
export const defaultHeadParams: Record<HeadKind, Record<string, unknown>> = {
  logreg: { classWeight: 'balanced', preprocess: 'auto' },
  mlp: { classWeight: 'balanced', preprocess: 'auto' },
  knn: { preprocess: 'auto' },
};
