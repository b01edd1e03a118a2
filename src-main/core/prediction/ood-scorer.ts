import type { Head } from '../heads/head';
import { knnDistancesByMatMul, oodPercentiles, OOD_FLAG_PERCENTILE, type OodReference } from '../heads/ood-reference';
import { applyPreprocessing } from '../heads/preprocessing';
import { FloatMatMul } from '../map/float-matmul';
import type { ProjectStore } from '../project/project-store';
import { OodRepo } from '../project/repos/ood-repo';

/** How far a slide's tiles lie from the head's training data. */
export interface OodSummary {
  /** Median percentile of the slide's tiles. */
  median: number;
  /** Tiles at or above OOD_FLAG_PERCENTILE. */
  flagged: number;
  flagPercentile: number;
}

/**
 * Scores predicted tiles against a head's OOD reference during a prediction run: the vectors are
 * preprocessed as the head preprocesses them, and the distances are GEMMs on ONNX Runtime. A head
 * trained before references existed scores nothing (null), and prediction goes on as before.
 */
export class OodScorer {
  private constructor(
    private readonly repo: OodRepo,
    private readonly headId: number,
    private readonly head: Head,
    private readonly reference: OodReference | null,
  ) {}

  static open(store: ProjectStore, headId: number, head: Head): OodScorer {
    const repo = new OodRepo(store.db);
    const reference = repo.reference(headId);
    return new OodScorer(repo, headId, head, reference && reference.dim === head.dim ? reference : null);
  }

  /** The head keeps a reference sample, so its tiles can be scored. */
  get enabled(): boolean {
    return this.reference !== null;
  }

  /**
   * Percentiles of n raw (stored) vectors, or null without a reference. The GEMM session lives
   * for one slide (opening it takes milliseconds), so a cancelled or failed run leaves nothing open.
   */
  async score(vectors: Float32Array, n: number): Promise<Float32Array | null> {
    if (!this.reference || n === 0) return null;
    const preprocessed = applyPreprocessing({ method: this.head.preprocess, standardizer: this.head.standardizer }, vectors, n, this.head.dim);
    const matmul = await FloatMatMul.open();
    try {
      const distances = await knnDistancesByMatMul(this.reference, preprocessed, n, (a, m, k, b, cols) => matmul.product(a, m, k, b, cols));
      return oodPercentiles(this.reference, distances);
    } finally {
      await matmul.close();
    }
  }

  /** Stores the scores (inside the caller's transaction, beside the predictions). */
  save(tileIds: ArrayLike<number>, percentiles: Float32Array | null): void {
    if (percentiles) this.repo.saveScores(this.headId, tileIds, percentiles);
  }

  summary(percentiles: Float32Array | null): OodSummary | null {
    if (!percentiles || percentiles.length === 0) return null;
    const sorted = Float32Array.from(percentiles).sort();
    let flagged = 0;
    for (const p of percentiles) if (p >= OOD_FLAG_PERCENTILE) flagged++;
    return { median: sorted[Math.floor(sorted.length / 2)]!, flagged, flagPercentile: OOD_FLAG_PERCENTILE };
  }
}
