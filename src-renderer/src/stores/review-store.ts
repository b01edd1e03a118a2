import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { HeadListing, JobState, MethodInput, MethodOutput, ReviewItem } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { waitForJobOutcome } from '../api/job-outcome';
import { TrainRunSummary } from '../api/training-results';
import { useCallAction } from '../composables/use-call-action';
import { useProjectStore } from './project-store';

export type PredictedSlides = MethodOutput<'predict.slides'>;
export type SlidePredictionSummary = PredictedSlides['slides'][number];
export type ReviewProgress = MethodOutput<'review.progress'>[number];
export type ReviewMode = MethodInput<'review.queue'>['mode'];
export type ReviewDecision = MethodInput<'review.decide'>['decision'];
export type PredictionExportInput = Omit<MethodInput<'predict.export'>, 'head' | 'threshold'>;
export type PredictionExportResult = MethodOutput<'predict.export'>;
export type HeadCurves = TrainRunSummary['curves'];

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

/** Tiles shown in the gallery at once. */
export const QUEUE_LIMIT = 48;
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
 * The Review area: a trained head run over slides (a job), its per-slide summaries at a chosen
 * threshold, the tiles to review (top-scoring or most uncertain) with the cursor the keyboard
 * moves, the decisions (which become labels of the head's task), progress, and exports.
 */
export const useReviewStore = defineStore('review', () => {
  const heads = ref<HeadListing[]>([]);
  const headsError = ref<HistoCallError | null>(null);
  const headId = ref<number | null>(null);
  const curves = ref<HeadCurves | null>(null);
  const curvesError = ref<string | null>(null);

  const predicted = ref<PredictedSlides | null>(null);
  const defaultThreshold = ref<number | null>(null);
  const threshold = ref(0.5);
  const summarising = ref(false);
  const summaryError = ref<HistoCallError | null>(null);
  const progress = ref<ReviewProgress[]>([]);

  const starting = ref(false);
  const run = ref<PredictionRun | null>(null);
  const runError = ref<HistoCallError | null>(null);
  /** Bumped whenever predictions change, so the viewer reloads the heatmap image. */
  const heatmapVersion = ref(0);

  const selectedSlideId = ref<number | null>(null);
  const mode = ref<ReviewMode>('top');
  const queue = ref<ReviewItem[]>([]);
  const cursor = ref(0);
  const queueLoading = ref(false);
  const queueError = ref<HistoCallError | null>(null);
  const deciding = ref(false);
  const decideError = ref<HistoCallError | null>(null);

  /** Labelled tiles among the predicted ones (score of the positive class, label): the operating point's data. */
  const labelled = ref<Array<{ tileId: number; score: number; label: string }>>([]);

  const { running: exporting, error: exportError, result: lastExport, run: runExport } = useCallAction('predict.export');

  const head = computed(() => heads.value.find((h) => h.id === headId.value) ?? null);
  const predicting = computed(() => run.value?.state === 'running');
  const selectedSummary = computed(() => predicted.value?.slides.find((s) => s.slideId === selectedSlideId.value) ?? null);
  const current = computed(() => queue.value[cursor.value] ?? null);
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

  // Heads, predictions and decisions belong to one project: forget them when another one opens.
  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      heads.value = [];
      forgetHead();
      headId.value = null;
    },
  );

  function forgetHead(): void {
    curves.value = null;
    curvesError.value = null;
    predicted.value = null;
    defaultThreshold.value = null;
    summaryError.value = null;
    progress.value = [];
    run.value = null;
    runError.value = null;
    selectedSlideId.value = null;
    queue.value = [];
    cursor.value = 0;
    queueError.value = null;
    decideError.value = null;
    labelled.value = [];
    lastExport.value = null;
    exportError.value = null;
  }

  async function loadHeads(): Promise<void> {
    try {
      heads.value = await call('heads.list', {});
      headsError.value = null;
      if (headId.value !== null && !heads.value.some((h) => h.id === headId.value)) await selectHead(null);
    } catch (err) {
      const callError = toCallError(err, 'heads.list');
      heads.value = [];
      headsError.value = callError.code === 'NO_PROJECT' ? null : callError;
    }
  }

  /** Chooses the head to review: its PR curve, what it has predicted, and the progress of its review. */
  async function selectHead(id: number | null): Promise<void> {
    if (headId.value === id) return;
    headId.value = id;
    forgetHead();
    if (id === null) return;
    await Promise.all([loadCurves(id), refreshPredictions(true)]);
  }

  async function loadCurves(id: number): Promise<void> {
    try {
      const { summary } = await call('head.get', { id });
      if (headId.value !== id) return;
      const parsed = TrainRunSummary.shape.curves.safeParse(summary.curves);
      curves.value = parsed.success ? parsed.data : null;
      curvesError.value = parsed.success ? null : `head ${id} has no precision-recall curve this version can read`;
    } catch (err) {
      if (headId.value === id) curvesError.value = toCallError(err, 'head.get').message;
    }
  }

  /**
   * Reloads the summaries (at the head's own threshold when `resetThreshold`), the progress, the
   * gallery and the labelled tiles after the predictions changed.
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
    await Promise.all([loadProgress(), loadQueue(), loadLabelled()]);
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
    if (selectedSlideId.value === slideId) return;
    selectedSlideId.value = slideId;
    void loadQueue();
  }

  function setMode(next: ReviewMode): void {
    if (mode.value === next) return;
    mode.value = next;
    void loadQueue();
  }

  let queueRequest = 0;
  /** The gallery of the selected slide: decided tiles stay in it, showing their verdict. */
  async function loadQueue(): Promise<void> {
    const id = headId.value;
    const slideId = selectedSlideId.value;
    const request = ++queueRequest;
    if (id === null || slideId === null) {
      queue.value = [];
      return;
    }
    queueLoading.value = true;
    try {
      const items = await call('review.queue', { head: id, mode: mode.value, slideId, limit: QUEUE_LIMIT, includeDecided: true });
      if (request !== queueRequest) return;
      queue.value = items;
      const firstOpen = items.findIndex((item) => item.decision === null);
      cursor.value = firstOpen === -1 ? 0 : firstOpen;
      queueError.value = null;
    } catch (err) {
      if (request === queueRequest) queueError.value = toCallError(err, 'review.queue');
    } finally {
      if (request === queueRequest) queueLoading.value = false;
    }
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
      const byTile = new Map<number, { tileId: number; score: number; label: string }>();
      for (const item of ranked.flat()) if (item.label !== null) byTile.set(item.tileId, { tileId: item.tileId, score: item.score, label: item.label });
      labelled.value = [...byTile.values()];
    } catch {
      // Without labelled tiles the chart shows only the head's own operating point.
      if (headId.value === id) labelled.value = [];
    }
  }

  function moveTo(index: number): void {
    if (queue.value.length === 0) return;
    cursor.value = Math.max(0, Math.min(queue.value.length - 1, index));
  }

  function move(delta: number): void {
    moveTo(cursor.value + delta);
  }

  function replaceItem(tileId: number, update: Partial<ReviewItem>): void {
    const index = queue.value.findIndex((q) => q.tileId === tileId);
    if (index !== -1) queue.value.splice(index, 1, { ...queue.value[index]!, ...update });
  }

  /** Decisions in flight, sent one after another so fast keystrokes keep their order and none is lost. */
  let sending: Promise<unknown> = Promise.resolve();
  let inFlight = 0;

  /**
   * Records a decision on the tile under the cursor (accept, reject, or relabel to a class) and
   * moves on to the next tile at once; the verdict shows straight away and is taken back if the
   * core refuses it. From then on the decision is a label of the head's task.
   */
  function decide(decision: ReviewDecision, className?: string): Promise<boolean> {
    const id = headId.value;
    const item = current.value;
    if (id === null || !item) return Promise.resolve(false);
    const before = { decision: item.decision, label: item.label };
    // The label the core will give the tile (its rule, in review.ts), shown before it answers.
    const classes = head.value?.classes ?? [];
    const other = classes.length === 2 ? (classes.find((c) => c !== item.predicted) ?? null) : item.label;
    replaceItem(item.tileId, { decision, label: decision === 'relabel' ? (className ?? null) : decision === 'accept' ? item.predicted : other });
    if (queue.value[cursor.value]?.tileId === item.tileId) moveTo(cursor.value + 1);
    inFlight++;
    deciding.value = true;
    const input: MethodInput<'review.decide'> = { head: id, tileId: item.tileId, decision };
    if (className !== undefined) input.className = className;
    const sent = sending.then(async () => {
      try {
        const result = await call('review.decide', input);
        if (headId.value !== id) return false;
        replaceItem(item.tileId, { decision, label: result.label });
        if (result.label !== null) {
          labelled.value = [...labelled.value.filter((t) => t.tileId !== item.tileId), { tileId: item.tileId, score: item.score, label: result.label }];
        }
        decideError.value = null;
        return true;
      } catch (err) {
        if (headId.value === id) {
          replaceItem(item.tileId, before);
          decideError.value = toCallError(err, 'review.decide');
        }
        return false;
      } finally {
        if (--inFlight === 0) {
          deciding.value = false;
          void loadProgress();
        }
      }
    });
    sending = sent;
    return sent;
  }

  async function exportPredictions(input: PredictionExportInput): Promise<PredictionExportResult | null> {
    const id = headId.value;
    if (id === null) return null;
    return runExport(() => call('predict.export', { ...input, head: id, threshold: threshold.value }));
  }

  return {
    heads,
    headsError,
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
    starting,
    run,
    runError,
    predicting,
    heatmapVersion,
    selectedSlideId,
    selectedSummary,
    mode,
    queue,
    cursor,
    current,
    queueLoading,
    queueError,
    deciding,
    decideError,
    labelled,
    operatingPoint,
    exporting,
    exportError,
    lastExport,
    loadHeads,
    selectHead,
    refreshPredictions,
    setThreshold,
    predict,
    selectSlide,
    setMode,
    loadQueue,
    moveTo,
    move,
    decide,
    exportPredictions,
  };
});
