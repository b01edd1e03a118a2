import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { ComparisonResult, ComparisonUnits, CompareRequest, JobState, MethodInput, MethodOutput } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { readJobResult, waitForJobOutcome } from '../api/job-outcome';
import { useProjectStore } from './project-store';

export type ComparisonListing = MethodOutput<'compare.list'>[number];
type BackboneRefValue = MethodInput<'project.setDefaultBackbone'>['backbone'];

/** A comparison job started here, followed until it ends. */
export interface CompareRun {
  jobId: string;
  request: CompareRequest;
  state: JobState;
  error: string | null;
}

/** What a comparison lets the user conclude, worked out once from its ranking and its overlapping intervals. */
export interface ComparisonVerdict {
  /** The top backbone, only when its 95% interval overlaps no other's; null when the proxy cannot crown one. */
  best: string | null;
  /** For each backbone, the backbones it cannot be told apart from. */
  tiedWith: Record<string, string[]>;
}

export function comparisonVerdict(result: Pick<ComparisonResult, 'ranking' | 'notSeparable'>): ComparisonVerdict {
  const tiedWith: Record<string, string[]> = Object.fromEntries(result.ranking.map((score) => [score.backbone, [] as string[]]));
  for (const [a, b] of result.notSeparable) {
    (tiedWith[a] ??= []).push(b);
    (tiedWith[b] ??= []).push(a);
  }
  const top = result.ranking[0]?.backbone ?? null;
  const best = top !== null && result.ranking.length > 1 && tiedWith[top]!.length === 0 ? top : null;
  return { best, tiedWith };
}

/**
 * Backbone comparisons on a labelled proxy task: starts one as a job and keeps what it returns,
 * lists and re-opens the stored ones, and makes a backbone the project's default.
 */
export const useCompareStore = defineStore('compare', () => {
  const history = ref<ComparisonListing[]>([]);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);

  const starting = ref(false);
  const startError = ref<HistoCallError | null>(null);
  const run = ref<CompareRun | null>(null);

  /** The comparison the view shows: the one just run, or a stored one re-opened from the history. */
  const shown = ref<ComparisonResult | null>(null);
  const opening = ref<number | null>(null);
  const openError = ref<HistoCallError | null>(null);

  /** What a comparison of the form's task would resample, slides and patch sets apart; null until asked. */
  const units = ref<ComparisonUnits | null>(null);
  const unitsError = ref<HistoCallError | null>(null);
  let unitsAsked = 0;

  const settingDefault = ref<string | null>(null);
  const defaultError = ref<HistoCallError | null>(null);

  // Comparison ids and runs belong to one project: forget them when another one opens.
  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      history.value = [];
      run.value = null;
      shown.value = null;
      startError.value = null;
      openError.value = null;
      defaultError.value = null;
      units.value = null;
      unitsError.value = null;
    },
  );

  /** Reloads the stored comparisons, newest first. */
  async function load(): Promise<void> {
    loading.value = true;
    try {
      history.value = await call('compare.list', {});
      error.value = null;
    } catch (err) {
      const callError = toCallError(err, 'compare.list');
      history.value = [];
      // No project open is a state the view explains, not an error.
      error.value = callError.code === 'NO_PROJECT' ? null : callError;
    } finally {
      loading.value = false;
    }
  }

  /** Asks what a comparison of `task` would resample without the excluded patch sets; the latest question wins. */
  async function loadUnits(task: string, excludePatchSets: number[]): Promise<void> {
    const asked = ++unitsAsked;
    try {
      const answer = await call('compare.units', { task, excludePatchSets });
      if (asked !== unitsAsked) return;
      units.value = answer;
      unitsError.value = null;
    } catch (err) {
      if (asked !== unitsAsked) return;
      units.value = null;
      unitsError.value = toCallError(err, 'compare.units');
    }
  }

  /** Starts a comparison as a job; its result lands in `shown` when the job ends. Returns the job id. */
  async function start(request: CompareRequest): Promise<string | null> {
    if (starting.value || run.value?.state === 'running') return null;
    starting.value = true;
    let jobId: string;
    try {
      jobId = (await call('compare.start', request)).jobId;
      startError.value = null;
    } catch (err) {
      startError.value = toCallError(err, 'compare.start');
      return null;
    } finally {
      starting.value = false;
    }
    const started: CompareRun = { jobId, request, state: 'running', error: null };
    run.value = started;
    void follow(started);
    return jobId;
  }

  async function follow(started: CompareRun): Promise<void> {
    let state: JobState = 'failed';
    let failure: string | null = null;
    try {
      const outcome = await waitForJobOutcome(started.jobId);
      state = outcome.state;
      const read = readJobResult(outcome, 'compare');
      if ('error' in read) failure = read.error;
      else if (run.value?.jobId === started.jobId) {
        shown.value = read.value;
        openError.value = null;
        defaultError.value = null;
      }
    } catch (err) {
      failure = toCallError(err, 'job.result').message;
    }
    if (failure !== null && state === 'done') state = 'failed';
    if (run.value?.jobId !== started.jobId) return; // another run (or project) replaced it meanwhile
    run.value = { ...started, state, error: failure };
    await load();
  }

  /** Shows a stored comparison. */
  async function open(id: number): Promise<boolean> {
    if (opening.value !== null) return false;
    opening.value = id;
    try {
      shown.value = await call('compare.get', { id });
      openError.value = null;
      defaultError.value = null;
      return true;
    } catch (err) {
      openError.value = toCallError(err, 'compare.get');
      return false;
    } finally {
      opening.value = null;
    }
  }

  /** Makes a backbone the one new extractions and trainings default to, and reloads the project summary that shows it. */
  async function setDefaultBackbone(backbone: BackboneRefValue, name: string): Promise<boolean> {
    if (settingDefault.value !== null) return false;
    settingDefault.value = name;
    try {
      await call('project.setDefaultBackbone', { backbone });
      defaultError.value = null;
      await project.load();
      return true;
    } catch (err) {
      defaultError.value = toCallError(err, 'project.setDefaultBackbone');
      return false;
    } finally {
      settingDefault.value = null;
    }
  }

  return {
    history,
    loading,
    error,
    starting,
    startError,
    run,
    shown,
    opening,
    openError,
    settingDefault,
    defaultError,
    units,
    unitsError,
    loadUnits,
    load,
    start,
    open,
    setDefaultBackbone,
  };
});
