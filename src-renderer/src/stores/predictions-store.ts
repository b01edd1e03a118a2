import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { JobState, MethodInput, MethodOutput, TrainSummary } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { waitForJobOutcome } from '../api/job-outcome';
import { useCallAction } from '../composables/use-call-action';
import { useProjectStore } from './project-store';
import { useTrainingStore } from './training-store';
import { labelledPrCurve, operatingPointOf, type OperatingPoint, type ScoredTruth } from './operating-point';
import { focusScore, focusTruth, type ClassFocus } from '../../../src-shared/domain/class-focus';

export type { OperatingPoint } from './operating-point';

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

/** A labelled tile among the predicted ones: its probabilities and its label. */
export interface LabelledTile {
  tileId: number;
  probs: number[];
  label: string;
}

/** Labelled tiles fetched per ranking to place the operating point (the contract's most per call). */
const LABELLED_LIMIT = 500;

/** Precision and recall of "p(positive) >= threshold" over tiles labelled for one class. */
export function operatingPointAt(tiles: ReadonlyArray<{ score: number; label: string }>, positive: string, threshold: number): OperatingPoint {
  return operatingPointOf(tiles.map((t) => ({ score: t.score, truth: t.label === positive })), threshold);
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
  /**
   * The class of interest the user chose (null: all classes, by confidence); undefined until the
   * core says which one the head starts with. Threshold, stats, PR curve, gallery and exports follow it.
   */
  const focus = ref<string | null | undefined>(undefined);

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
  const focusIndex = computed<ClassFocus>(() => {
    const classes = predicted.value?.classes ?? head.value?.classes ?? [];
    const index = typeof focus.value === 'string' ? classes.indexOf(focus.value) : -1;
    return index >= 0 ? index : null;
  });
  /** The labelled tiles scored for the class of interest. */
  const scoredLabelled = computed<ScoredTruth[]>(() => {
    const classes = predicted.value?.classes ?? [];
    return labelled.value.map((t) => ({ score: focusScore(t.probs, focusIndex.value), truth: focusTruth(t.probs, t.label, classes, focusIndex.value) }));
  });
  const operatingPoint = computed(() => (predicted.value ? operatingPointOf(scoredLabelled.value, threshold.value) : null));
  /** The cross-validated curves apply to their own class only; any other focus gets a curve from the labelled tiles. */
  const focusHasCvCurve = computed(() => curves.value !== null && focus.value === curves.value.class);
  const labelledCurve = computed(() => (focusHasCvCurve.value ? [] : labelledPrCurve(scoredLabelled.value)));

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
    focus.value = undefined;
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
      const result = await call('predict.slides', { head: id, ...(resetThreshold ? {} : { threshold: threshold.value }), ...focusInput() });
      if (headId.value !== id) return;
      predicted.value = result;
      focus.value = result.focus;
      defaultThreshold.value = result.defaultThreshold;
      if (resetThreshold) threshold.value = result.threshold;
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

  /** The focus as the contract takes it: left out until the core has said which one the head starts with. */
  function focusInput(): { focus?: string | null } {
    return focus.value === undefined ? {} : { focus: focus.value };
  }

  /**
   * Chooses the class of interest (null: all classes). Summaries, threshold (back to the focus's
   * own), PR curve, gallery and exports follow it together.
   */
  async function setFocus(next: string | null): Promise<void> {
    if (headId.value === null || focus.value === next) return;
    focus.value = next;
    summaryRequest++;
    await refreshPredictions(true);
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
      const result = await call('predict.slides', { head: id, threshold: value, ...focusInput() });
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
        (['top', 'uncertain'] as const).map((m) => call('review.queue', { head: id, mode: m, limit: LABELLED_LIMIT, includeDecided: true, ...focusInput() })),
      );
      if (headId.value !== id) return;
      const byTile = new Map<number, LabelledTile>();
      for (const item of ranked.flat()) if (item.label !== null) byTile.set(item.tileId, { tileId: item.tileId, probs: item.probs, label: item.label });
      labelled.value = [...byTile.values()];
    } catch {
      // Without labelled tiles the chart shows only the head's own operating point.
      if (headId.value === id) labelled.value = [];
    }
  }

  /** A tile whose label a review decision set (or, null, removed): it counts towards the operating point, or no longer. */
  function recordLabel(tile: { tileId: number; probs: number[]; label: string | null }): void {
    const others = labelled.value.filter((t) => t.tileId !== tile.tileId);
    labelled.value = tile.label === null ? others : [...others, { tileId: tile.tileId, probs: tile.probs, label: tile.label }];
  }

  async function exportPredictions(input: PredictionExportInput): Promise<PredictionExportResult | null> {
    const id = headId.value;
    if (id === null) return null;
    return runExport(() => call('predict.export', { ...input, head: id, threshold: threshold.value, focus: focus.value ?? null }));
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
    focus,
    focusIndex,
    focusHasCvCurve,
    labelledCurve,
    exporting,
    exportError,
    lastExport,
    loadHeads,
    selectHead,
    refreshPredictions,
    setThreshold,
    setFocus,
    focusInput,
    loadProgress,
    predict,
    selectSlide,
    recordLabel,
    exportPredictions,
  };
});
