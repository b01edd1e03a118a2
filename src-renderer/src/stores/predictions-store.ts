import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { JobState, MethodInput, MethodOutput, TrainSummary } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { waitForJobOutcome } from '../api/job-outcome';
import { useCallAction } from '../composables/use-call-action';
import { useProjectStore } from './project-store';
import { useTrainingStore } from './training-store';

export type PredictedSlides = MethodOutput<'predict.slides'>;
export type SlidePredictionSummary = PredictedSlides['slides'][number];
export type ReviewProgress = MethodOutput<'review.progress'>[number];
export type PredictionExportInput = Omit<MethodInput<'predict.export'>, 'head' | 'threshold'>;
export type PredictionExportResult = MethodOutput<'predict.export'>;
export type HeadCurves = TrainSummary['curves'];

/** A prediction job started here, followed until it ends. */
export interface PredictionRun {
  jobId: string;
  paths: string[];
  state: JobState;
  error: string | null;
  failed: Array<{ path: string; message: string }>;
}

/** Precision and recall of the head at a threshold, over `tiles` labelled tiles it predicted. */
export interface OperatingPoint {
  threshold: number;
  precision: number | null;
  recall: number | null;
  tiles: number;
}

/** A labelled tile among the predicted ones: the score of the positive class and its label. */
export interface LabelledTile {
  tileId: number;
  score: number;
  label: string;
}

/** Labelled tiles fetched per ranking to place the operating point (the contract's most per call). */
const LABELLED_LIMIT = 500;

/**
 * Precision and recall of "score >= threshold means positive" over labelled tiles; null where the
 * ratio has no denominator (no tile called positive, or no positive tile).
 */
export function operatingPointAt(tiles: ReadonlyArray<{ score: number; label: string }>, positive: string, threshold: number): OperatingPoint {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const tile of tiles) {
    const called = tile.score >= threshold;
    const truth = tile.label === positive;
    if (called && truth) tp++;
    else if (called) fp++;
    else if (truth) fn++;
  }
  return { threshold, precision: tp + fp > 0 ? tp / (tp + fp) : null, recall: tp + fn > 0 ? tp / (tp + fn) : null, tiles: tiles.length };
}

/**
 * A trained head's predictions: the head chosen for review (listed and summarised by the training
 * store), prediction jobs over slides, per-slide summaries at a chosen threshold, review progress,
 * the labelled tiles that place the operating point, and exports. The tiles to review are the
 * review-queue store's.
 */
export const usePredictionsStore = defineStore('predictions', () => {
  const training = useTrainingStore();
  const headId = ref<number | null>(null);

  const predicted = ref<PredictedSlides | null>(null);
  const defaultThreshold = ref<number | null>(null);
  const threshold = ref(0.5);
  const summarising = ref(false);
  const summaryError = ref<HistoCallError | null>(null);
  const progress = ref<ReviewProgress[]>([]);
  /** Bumped each time the summaries are reloaded after predictions changed: the queue follows it. */
  const refreshed = ref(0);

  const starting = ref(false);
  const run = ref<PredictionRun | null>(null);
  const runError = ref<HistoCallError | null>(null);
  /** Bumped whenever predictions change, so the viewer reloads the heatmap image. */
  const heatmapVersion = ref(0);

  const selectedSlideId = ref<number | null>(null);
  const labelled = ref<LabelledTile[]>([]);

  const { running: exporting, error: exportError, result: lastExport, run: runExport } = useCallAction('predict.export');

  const head = computed(() => training.heads.find((h) => h.id === headId.value) ?? null);
  const curves = computed<HeadCurves | null>(() => (headId.value === null ? null : (training.summaries[headId.value]?.curves ?? null)));
  const curvesError = computed(() => (headId.value === null ? null : (training.summaryErrors[headId.value] ?? null)));
  const predicting = computed(() => run.value?.state === 'running');
  const selectedSummary = computed(() => predicted.value?.slides.find((s) => s.slideId === selectedSlideId.value) ?? null);
  const totals = computed(() => {
    let reviewed = 0;
    let tiles = 0;
    for (const p of progress.value) {
      reviewed += p.reviewed;
      tiles += p.predicted;
    }
    return { reviewed, tiles };
  });
  const operatingPoint = computed(() => (predicted.value ? operatingPointAt(labelled.value, predicted.value.positive, threshold.value) : null));

  // Predictions and decisions belong to one project: forget them when another one opens.
  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      forgetHead();
      headId.value = null;
    },
  );

  function forgetHead(): void {
    predicted.value = null;
    defaultThreshold.value = null;
    summaryError.value = null;
    progress.value = [];
    run.value = null;
    runError.value = null;
    selectedSlideId.value = null;
    labelled.value = [];
    lastExport.value = null;
    exportError.value = null;
  }

  /** The project's heads, through the training store; a head that is gone is deselected. */
  async function loadHeads(): Promise<void> {
    await training.load();
    if (headId.value !== null && !training.heads.some((h) => h.id === headId.value)) await selectHead(null);
  }

  /** Chooses the head to review: its PR curve, what it has predicted, and the progress of its review. */
  async function selectHead(id: number | null): Promise<void> {
    if (headId.value === id) return;
    headId.value = id;
    forgetHead();
    if (id === null) return;
    await Promise.all([training.loadSummary(id), refreshPredictions(true)]);
  }

  /**
   * Reloads the summaries (at the head's own threshold when `resetThreshold`), the progress and
   * the labelled tiles after the predictions changed.
   */
  async function refreshPredictions(resetThreshold: boolean): Promise<void> {
    const id = headId.value;
    if (id === null) return;
    summarising.value = true;
    try {
      const result = await call('predict.slides', resetThreshold ? { head: id } : { head: id, threshold: threshold.value });
      if (headId.value !== id) return;
      predicted.value = result;
      if (resetThreshold) {
        defaultThreshold.value = result.threshold;
        threshold.value = result.threshold;
      }
      summaryError.value = null;
      if (!result.slides.some((s) => s.slideId === selectedSlideId.value)) selectedSlideId.value = result.slides[0]?.slideId ?? null;
    } catch (err) {
      if (headId.value === id) summaryError.value = toCallError(err, 'predict.slides');
      return;
    } finally {
      summarising.value = false;
    }
    refreshed.value++;
    await Promise.all([loadProgress(), loadLabelled()]);
  }

  let summaryRequest = 0;
  /** Summarises the slides again at another threshold (the counts of positive tiles change). */
  async function setThreshold(value: number): Promise<void> {
    const id = headId.value;
    if (id === null || !(value >= 0 && value <= 1)) return;
    threshold.value = value;
    const request = ++summaryRequest;
    summarising.value = true;
    try {
      const result = await call('predict.slides', { head: id, threshold: value });
      // Only the answer to the latest move counts: a slider sends many.
      if (request !== summaryRequest || headId.value !== id) return;
      predicted.value = result;
      summaryError.value = null;
    } catch (err) {
      if (request === summaryRequest) summaryError.value = toCallError(err, 'predict.slides');
    } finally {
      if (request === summaryRequest) summarising.value = false;
    }
  }

  async function loadProgress(): Promise<void> {
    const id = headId.value;
    if (id === null) return;
    try {
      const rows = await call('review.progress', { head: id });
      if (headId.value === id) progress.value = rows;
    } catch (err) {
      if (headId.value === id) summaryError.value = toCallError(err, 'review.progress');
    }
  }

  /** Runs the head over slides as a job; summaries, heatmap and gallery refresh when it ends. */
  async function predict(paths: string[]): Promise<string | null> {
    const id = headId.value;
    if (id === null || paths.length === 0 || starting.value || predicting.value) return null;
    starting.value = true;
    let jobId: string;
    try {
      jobId = (await call('predict.start', { head: id, paths })).jobId;
      runError.value = null;
    } catch (err) {
      runError.value = toCallError(err, 'predict.start');
      return null;
    } finally {
      starting.value = false;
    }
    run.value = { jobId, paths, state: 'running', error: null, failed: [] };
    void follow(id, jobId);
    return jobId;
  }

  async function follow(id: number, jobId: string): Promise<void> {
    let update: Partial<PredictionRun>;
    try {
      const outcome = await waitForJobOutcome(jobId);
      const failed = (outcome.result as { failed?: PredictionRun['failed'] } | null)?.failed ?? [];
      update = { state: outcome.state, error: outcome.error?.message ?? (outcome.state === 'cancelled' ? 'Cancelled.' : null), failed: Array.isArray(failed) ? failed : [] };
    } catch (err) {
      update = { state: 'failed', error: toCallError(err, 'job.result').message };
    }
    if (run.value?.jobId !== jobId || headId.value !== id) return;
    run.value = { ...run.value, ...update };
    heatmapVersion.value++;
    await refreshPredictions(true);
  }

  function selectSlide(slideId: number): void {
    selectedSlideId.value = slideId;
  }

  /** The labelled tiles among the head's highest-scoring and most uncertain ones, over all slides. */
  async function loadLabelled(): Promise<void> {
    const id = headId.value;
    if (id === null) return;
    try {
      const ranked = await Promise.all(
        (['top', 'uncertain'] as const).map((m) => call('review.queue', { head: id, mode: m, limit: LABELLED_LIMIT, includeDecided: true })),
      );
      if (headId.value !== id) return;
      const byTile = new Map<number, LabelledTile>();
      for (const item of ranked.flat()) if (item.label !== null) byTile.set(item.tileId, { tileId: item.tileId, score: item.score, label: item.label });
      labelled.value = [...byTile.values()];
    } catch {
      // Without labelled tiles the chart shows only the head's own operating point.
      if (headId.value === id) labelled.value = [];
    }
  }

  /** A tile that a review decision labelled: it now counts towards the operating point. */
  function recordLabel(tile: LabelledTile): void {
    labelled.value = [...labelled.value.filter((t) => t.tileId !== tile.tileId), tile];
  }

  async function exportPredictions(input: PredictionExportInput): Promise<PredictionExportResult | null> {
    const id = headId.value;
    if (id === null) return null;
    return runExport(() => call('predict.export', { ...input, head: id, threshold: threshold.value }));
  }

  return {
    headId,
    head,
    curves,
    curvesError,
    predicted,
    defaultThreshold,
    threshold,
    summarising,
    summaryError,
    progress,
    totals,
    refreshed,
    starting,
    run,
    runError,
    predicting,
    heatmapVersion,
    selectedSlideId,
    selectedSummary,
    labelled,
    operatingPoint,
    exporting,
    exportError,
    lastExport,
    loadHeads,
    selectHead,
    refreshPredictions,
    setThreshold,
    loadProgress,
    predict,
    selectSlide,
    recordLabel,
    exportPredictions,
  };
});
