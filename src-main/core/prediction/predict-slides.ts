import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { BackbonesRepo, type StoredBackbone } from '../project/repos/backbones-repo';
import { PredictionsRepo } from '../project/repos/predictions-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { failureOf, HistoError } from '../errors';
import { collectInputs } from '../extraction/collect-inputs';
import { registerSource } from '../extraction/extraction-plan';
import { embedTiles } from '../extraction/embed-tiles';
import type { Head } from '../heads/head';
import { compileHead, type HeadApplier } from './compiled-head';
import { HeadsRepo } from '../project/repos/heads-repo';
import { headTiling } from './head-tiling';
import { summarizeSlide, type SlideSummary } from './slide-summary';
import type { ShardSpec } from '../cluster/shard-spec';
import { selectShardInputs } from '../cluster/shard-selection';
import { rethrowIfDiskFull, stopOnDiskFull } from '../project/disk-full';
import { argmaxOf } from '../../../src-shared/domain/class-focus';
import { OodScorer, type OodSummary } from './ood-scorer';

export interface PredictOptions {
  /** Probability of the positive class at or above which a tile counts as positive. */
  threshold?: number;
  positive?: string;
  topK?: number;
  /** Only the slides whose content fingerprint falls into this shard; the project records it. */
  shard?: ShardSpec;
}

export interface SlidePrediction extends SlideSummary {
  /** Out-of-distribution scores of the slide's tiles (null for heads without a reference). */
  ood: OodSummary | null;
  slideId: number;
  path: string;
  tilingId: number;
  /** Tiles whose most likely class is each class. */
  perClass: Record<string, number>;
}

/** The class whose probability the summaries, heatmaps and thresholds are about. */
export function positiveClassOf(classes: string[], summary: Record<string, unknown>, requested?: string): number {
  if (requested !== undefined) {
    const index = classes.indexOf(requested);
    if (index < 0) throw new HistoError('VALIDATION', `positive class '${requested}' is not one of: ${classes.join(', ')}`);
    return index;
  }
  const trained = (summary.curves as { class?: string } | undefined)?.class;
  const index = trained ? classes.indexOf(trained) : -1;
  return index >= 0 ? index : classes.length - 1;
}

/** The head's F1-optimal threshold from cross-validation (binary heads), else 0.5. */
export function defaultThreshold(summary: Record<string, unknown>): number {
  const best = (summary.curves as { bestThreshold?: { threshold: number } } | undefined)?.bestThreshold?.threshold;
  return typeof best === 'number' && Number.isFinite(best) && best > 0 && best <= 1 ? best : 0.5;
}

/**
 * Applies a head to the stored view-0 vectors of `tileIds` (those that have one) and stores the
 * probabilities (and, for heads with a reference, the out-of-distribution scores) in one
 * transaction: the part of prediction that scales with the tile count. The vectors stream block
 * by block through the compiled head and the OOD scorer, read once; only scores are kept.
 */
export async function predictStoredTiles(
  store: ProjectStore,
  headId: number,
  head: Head | HeadApplier,
  backbone: StoredBackbone,
  tileIds: readonly number[],
  k: number,
  ood?: OodScorer,
): Promise<{ tileIds: Int32Array; probs: Float32Array; ood: Float32Array | null }> {
  const apply = typeof head === 'function' ? head : compileHead(head);
  const ids = new Int32Array(tileIds.length);
  let probs = new Float32Array(tileIds.length * k);
  let n = 0;
  const stream = ood ? await ood.stream(tileIds.length) : null;
  let percentiles: Float32Array | null = null;
  try {
    for (const chunk of new EmbeddingsRepo(store.db).scanTiles(backbone.id, backbone.dim, 0, tileIds)) {
      probs.set(apply(chunk.vectors, chunk.count), n * k);
      ids.set(chunk.tileIds, n);
      n += chunk.count;
      await stream?.add(chunk.vectors, chunk.count);
    }
    percentiles = (await stream?.finish()) ?? null;
  } finally {
    await stream?.close();
  }
  probs = probs.subarray(0, n * k);
  store.db.transaction(() => {
    new PredictionsRepo(store.db).writeMany(headId, ids.subarray(0, n), probs, k);
    ood?.save(ids.subarray(0, n), percentiles);
  })();
  return { tileIds: ids.subarray(0, n), probs, ood: percentiles };
}

/**
 * Runs a head over every tile of the given slides: tiles them as the head was trained (if not yet),
 * embeds what its backbone has not stored, stores per-tile probabilities, and summarises each slide.
 */
export async function predictSlides(store: ProjectStore, headId: number, paths: readonly string[], options: PredictOptions = {}, ctx?: JobContext) {
  const started = performance.now();
  const { listing, head, summary } = new HeadsRepo(store.db).load(headId);
  const backbone = new BackbonesRepo(store.db).get(listing.backboneId)!;
  const positive = positiveClassOf(head.classes, summary, options.positive);
  const threshold = options.threshold ?? defaultThreshold(summary);
  if (!(threshold >= 0 && threshold <= 1)) throw new HistoError('VALIDATION', `threshold must lie in [0, 1], not ${threshold}`);
  const choice = headTiling(store, listing.taskId, backbone.inputSize);
  const inputs = await selectShardInputs(store, collectInputs(paths), options.shard, { command: 'predict', backbone, tiling: choice }, ctx);
  const slides: SlidePrediction[] = [];
  const failed: Array<{ path: string; message: string }> = [];
  const k = head.classes.length;
  const apply = compileHead(head);
  let predicted = 0;
  const kept = () => `${predicted} tiles stored`;
  const ood = OodScorer.open(store, headId, head);
  for (const [index, input] of inputs.entries()) {
    ctx?.throwIfCancelled();
    ctx?.progress(index, inputs.length, `predicting ${input.path}`);
    try {
      const registered = await registerSource(store, input, choice);
      await registered.source.close();
      const tileIds = registered.tiles.map((t) => t.id);
      await embedTiles(store, backbone, tileIds, {}, ctx);
      const stored = await predictStoredTiles(store, headId, apply, backbone, tileIds, k, ood);
      const scores = new Float32Array(stored.tileIds.length);
      const perClass: Record<string, number> = Object.fromEntries(head.classes.map((c) => [c, 0]));
      for (let i = 0; i < scores.length; i++) {
        scores[i] = stored.probs[i * k + positive]!;
        perClass[head.classes[argmaxOf(stored.probs.subarray(i * k, (i + 1) * k))]!]!++;
      }
      predicted += scores.length;
      const slide = new SlidesRepo(store.db).get(registered.slideId)!.info;
      const tile = registered.tiles[0];
      const tileAreaMm2 = slide.mppX !== null && slide.mppY !== null && tile ? ((tile.width * slide.mppX) / 1000) * ((tile.height * slide.mppY) / 1000) : null;
      slides.push({ slideId: registered.slideId, path: input.path, tilingId: registered.tilingId, ...summarizeSlide(scores, threshold, options.topK ?? 10, tileAreaMm2), perClass, ood: ood.summary(stored.ood) });
    } catch (err) {
      if (err instanceof HistoError && err.code === 'CANCELLED') throw err;
      // Predictions of whole slides are kept (each slide is one transaction); rerunning redoes the rest.
      rethrowIfDiskFull(err, kept);
      failed.push(failureOf(input.path, err));
    }
  }
  await stopOnDiskFull(
    () => recordAudit(store.db, 'predict', { headId, slides: slides.map((s) => s.path), threshold, positive: head.classes[positive], failed: failed.length }, backbone.sha256),
    kept,
  );
  return {
    head: { id: headId, kind: head.kind, task: listing.task, classes: head.classes, positive: head.classes[positive]!, threshold, backbone: backbone.name, backboneSha256: backbone.sha256, metrics: listing.metrics },
    slides,
    failed,
    seconds: (performance.now() - started) / 1000,
  };
}

export type PredictionRun = Awaited<ReturnType<typeof predictSlides>>;
