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
   * Scores a stream of raw (stored) vectors, `total` at most, as prediction decodes them block by
   * block, or null without a reference. Rows are gathered into batches of SCORE_BATCH_ROWS for the
   * GEMMs; the session (opening it takes milliseconds) lives for one slide, so a cancelled or
   * failed run leaves nothing open once `close` ran.
   */
  async stream(total: number): Promise<OodStream | null> {
    if (!this.reference || total === 0) return null;
    return new OodStream(this.reference, this.head, total, await FloatMatMul.open());
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

/** Rows scored per GEMM batch: large enough that the reference's per-batch set-up is amortised. */
const SCORE_BATCH_ROWS = 4096;

/** One slide's vectors scored as they stream by; see OodScorer.stream. */
export class OodStream {
  private readonly pending: Float32Array;
  private pendingRows = 0;
  private scored = 0;
  private readonly percentiles: Float32Array;

  constructor(
    private readonly reference: OodReference,
    private readonly head: Head,
    total: number,
    private readonly matmul: FloatMatMul,
  ) {
    this.pending = new Float32Array(Math.min(SCORE_BATCH_ROWS, total) * head.dim);
    this.percentiles = new Float32Array(total);
  }

  /** Takes n rows (copied: a scan's chunk is reused), scoring whenever a batch fills. */
  async add(vectors: Float32Array, n: number): Promise<void> {
    const dim = this.head.dim;
    const capacity = this.pending.length / dim;
    for (let row = 0; row < n; ) {
      const take = Math.min(n - row, capacity - this.pendingRows);
      this.pending.set(vectors.subarray(row * dim, (row + take) * dim), this.pendingRows * dim);
      this.pendingRows += take;
      row += take;
      if (this.pendingRows === capacity) await this.flush();
    }
  }

  /** The percentiles of every row added, in order. */
  async finish(): Promise<Float32Array> {
    await this.flush();
    return this.percentiles.subarray(0, this.scored);
  }

  close(): Promise<void> {
    return this.matmul.close();
  }

  private async flush(): Promise<void> {
    const n = this.pendingRows;
    if (n === 0) return;
    const preprocessed = applyPreprocessing({ method: this.head.preprocess, standardizer: this.head.standardizer }, this.pending.subarray(0, n * this.head.dim), n, this.head.dim);
    const distances = await knnDistancesByMatMul(this.reference, preprocessed, n, (a, m, k, b, cols) => this.matmul.product(a, m, k, b, cols));
    this.percentiles.set(oodPercentiles(this.reference, distances), this.scored);
    this.scored += n;
    this.pendingRows = 0;
  }
}
