import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { HeadListing, JobState, LearningCurveSummary, MethodOutput, TrainStartRequest, TrainSummary } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { readJobResult, waitForJobOutcome } from '../api/job-outcome';
import { useCallAction } from '../composables/use-call-action';
import { useProjectStore } from './project-store';

export type HeadExportResult = MethodOutput<'head.export'>;

/** A training or learning-curve job started here, followed until it ends. */
export interface TrainingRun {
  jobId: string;
  request: TrainStartRequest;
  state: JobState;
  error: string | null;
}

/** The run whose full summary the view shows: the one just trained, or a stored head opened from the table. */
export interface ShownRun {
  headId: number;
  summary: TrainSummary;
}

/**
 * Training of heads on a task's embeddings: starts runs and learning curves as jobs and keeps
 * what they return, lists the project's stored heads, loads the full summaries of the heads being
 * compared, and exports a head as ONNX.
 */
export const useTrainingStore = defineStore('training', () => {
  const heads = ref<HeadListing[]>([]);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);

  const starting = ref(false);
  const startError = ref<HistoCallError | null>(null);
  const trainRun = ref<TrainingRun | null>(null);
  const curveRun = ref<TrainingRun | null>(null);
  const shown = ref<ShownRun | null>(null);
  const curve = ref<LearningCurveSummary | null>(null);

  /** Heads ticked for comparison, in the order they were ticked, and their loaded summaries. */
  const compareIds = ref<number[]>([]);
  const summaries = ref<Record<number, TrainSummary>>({});
  const summaryErrors = ref<Record<number, string>>({});
  const loadingSummaries = ref<number[]>([]);

  const { running: exporting, error: exportError, result: lastExport, run: runExport, clear: clearExport } = useCallAction('head.export');

  const training = computed(() => trainRun.value?.state === 'running');
  const drawingCurve = computed(() => curveRun.value?.state === 'running');
  const compared = computed(() => compareIds.value.map((id) => heads.value.find((h) => h.id === id)).filter((h): h is HeadListing => h !== undefined));

  // Head ids and runs belong to one project: forget them when another one opens.
  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      trainRun.value = null;
      curveRun.value = null;
      shown.value = null;
      curve.value = null;
      compareIds.value = [];
      summaries.value = {};
      summaryErrors.value = {};
      startError.value = null;
      clearExport();
    },
  );

  async function load(): Promise<void> {
    loading.value = true;
    try {
      heads.value = await call('head.list', {});
      compareIds.value = compareIds.value.filter((id) => heads.value.some((h) => h.id === id));
      error.value = null;
    } catch (err) {
      const callError = toCallError(err, 'head.list');
      heads.value = [];
      error.value = callError.code === 'NO_PROJECT' ? null : callError;
    } finally {
      loading.value = false;
    }
  }

  /**
   * Starts a training (or, with labelsPerClass, a learning curve) as a job; the result lands in
   * `shown` (or `curve`) when the job ends. Returns the job id.
   */
  async function start(request: TrainStartRequest): Promise<string | null> {
    if (starting.value) return null;
    starting.value = true;
    let jobId: string;
    try {
      jobId = (await call('train.start', request)).jobId;
      startError.value = null;
    } catch (err) {
      startError.value = toCallError(err, 'train.start');
      return null;
    } finally {
      starting.value = false;
    }
    const run: TrainingRun = { jobId, request, state: 'running', error: null };
    if (request.labelsPerClass) curveRun.value = run;
    else trainRun.value = run;
    void follow(run);
    return jobId;
  }

  async function follow(run: TrainingRun): Promise<void> {
    const isCurve = run.request.labelsPerClass !== undefined;
    const slot = isCurve ? curveRun : trainRun;
    let state: JobState = 'failed';
    let failure: string | null = null;
    try {
      const outcome = await waitForJobOutcome(run.jobId);
      state = outcome.state;
      if (isCurve) {
        const read = readJobResult(outcome, 'learning-curve');
        if ('value' in read && slot.value?.jobId === run.jobId) curve.value = read.value;
        else if ('error' in read) failure = read.error;
      } else {
        const read = readJobResult(outcome, 'train');
        if ('value' in read && slot.value?.jobId === run.jobId) {
          const { headId } = read.value;
          if (headId !== undefined) {
            shown.value = { headId, summary: read.value };
            summaries.value[headId] = read.value;
            clearExport();
          }
        } else if ('error' in read) failure = read.error;
      }
    } catch (err) {
      failure = toCallError(err, 'job.result').message;
    }
    if (failure !== null && state === 'done') state = 'failed';
    if (slot.value?.jobId === run.jobId) slot.value = { ...run, state, error: failure };
    if (!isCurve) {
      await load();
      void project.load();
    }
  }

  /** The full summary of a stored head (cached: a head never changes once trained). */
  async function loadSummary(id: number): Promise<TrainSummary | null> {
    if (summaries.value[id]) return summaries.value[id];
    if (loadingSummaries.value.includes(id)) return null;
    loadingSummaries.value.push(id);
    try {
      // The core checked the stored summary against the contract: one it cannot read arrives as an error.
      const { summary } = await call('head.get', { id });
      summaries.value[id] = summary;
      delete summaryErrors.value[id];
      return summary;
    } catch (err) {
      summaryErrors.value[id] = toCallError(err, 'head.get').message;
      return null;
    } finally {
      loadingSummaries.value = loadingSummaries.value.filter((x) => x !== id);
    }
  }

  /** Shows a stored head's full summary in the result panel. */
  async function show(id: number): Promise<boolean> {
    const summary = await loadSummary(id);
    if (!summary) return false;
    shown.value = { headId: id, summary };
    clearExport();
    return true;
  }

  /** Ticks or unticks a head for the side-by-side comparison, loading its curves when ticked. */
  function toggleCompare(id: number): void {
    if (compareIds.value.includes(id)) {
      compareIds.value = compareIds.value.filter((x) => x !== id);
      return;
    }
    compareIds.value = [...compareIds.value, id];
    void loadSummary(id);
  }

  function clearCompare(): void {
    compareIds.value = [];
  }

  function exportHead(id: number, out: string, withBackbone: boolean): Promise<HeadExportResult | null> {
    return runExport(() => call('head.export', { id, out: out.trim(), withBackbone }));
  }

  return {
    heads,
    loading,
    error,
    starting,
    startError,
    trainRun,
    curveRun,
    training,
    drawingCurve,
    shown,
    curve,
    compareIds,
    compared,
    summaries,
    summaryErrors,
    loadingSummaries,
    exporting,
    exportError,
    lastExport,
    load,
    start,
    loadSummary,
    show,
    toggleCompare,
    clearCompare,
    exportHead,
    clearExport,
  };
});
