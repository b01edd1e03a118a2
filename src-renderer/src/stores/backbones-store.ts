import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { BackboneSummary, EmbedRequest, MethodInput, MethodOutput } from '../../../src-shared/contract';
import { call, onEvent, toCallError, type HistoCallError } from '../api/histo-api';
import { isActive } from './jobs-store';
import { useProjectStore } from './project-store';

export type BackboneImportInput = MethodInput<'backbone.import'>;
export type BenchResult = MethodOutput<'backbone.bench'>;

/** Batch of the UI's benchmark: small enough to answer quickly on a laptop CPU, large enough to be fair. */
export const BENCH_BATCH_SIZE = 8;

/** The job kind the core gives extraction jobs (embed.start). */
const EMBED_JOB_KIND = 'embed';

/**
 * The backbones of the open project, their benchmarks, and the extraction jobs started from them.
 * Vector counts change when an extraction ends, whoever started it: the list reloads on every
 * finished `embed` job while the view listens.
 */
export const useBackbonesStore = defineStore('backbones', () => {
  const backbones = ref<BackboneSummary[]>([]);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);

  const importing = ref(false);
  const importError = ref<HistoCallError | null>(null);
  const lastImported = ref<BackboneSummary | null>(null);

  /** Benchmarks by backbone id: the last result, the ones running, the last failure. */
  const benchmarks = ref<Record<number, BenchResult>>({});
  const benchmarking = ref<number[]>([]);
  const benchErrors = ref<Record<number, string>>({});

  /** Paths the extraction panel has ticked; the Slides view fills it before sending the user here. */
  const extractPaths = ref<string[]>([]);
  const startingExtraction = ref(false);
  const extractError = ref<HistoCallError | null>(null);
  /** The extraction jobs started here, newest last, so the panel can follow them. */
  const extractionJobIds = ref<string[]>([]);

  let unsubscribe: (() => void) | null = null;

  // Ids, benchmarks and ticked paths belong to one project: forget them when another one opens.
  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      benchmarks.value = {};
      benchErrors.value = {};
      extractPaths.value = [];
      extractionJobIds.value = [];
      extractError.value = null;
      clearImportResult();
    },
  );

  function replace(backbone: BackboneSummary): void {
    const index = backbones.value.findIndex((b) => b.id === backbone.id);
    if (index === -1) backbones.value.push(backbone);
    else backbones.value.splice(index, 1, backbone);
  }

  /** Reloads the list (after a project was opened or an extraction ended). */
  async function load(): Promise<void> {
    loading.value = true;
    try {
      backbones.value = await call('backbone.list', {});
      error.value = null;
    } catch (err) {
      const callError = toCallError(err, 'backbone.list');
      backbones.value = [];
      // No project open is a state the view explains, not an error.
      error.value = callError.code === 'NO_PROJECT' ? null : callError;
    } finally {
      loading.value = false;
    }
  }

  /** Imports an ONNX model; the core's refusal (not an ONNX model, wrong output shape...) lands in `importError`. */
  async function importBackbone(input: BackboneImportInput): Promise<BackboneSummary | null> {
    if (importing.value) return null;
    importing.value = true;
    try {
      const imported = await call('backbone.import', { ...input, path: input.path.trim() });
      replace(imported);
      lastImported.value = imported;
      importError.value = null;
      // The project bar counts backbones.
      void useProjectStore().load();
      return imported;
    } catch (err) {
      importError.value = toCallError(err, 'backbone.import');
      lastImported.value = null;
      return null;
    } finally {
      importing.value = false;
    }
  }

  function clearImportResult(): void {
    importError.value = null;
    lastImported.value = null;
  }

  async function bench(backboneId: number, batchSize = BENCH_BATCH_SIZE): Promise<BenchResult | null> {
    if (benchmarking.value.includes(backboneId)) return null;
    benchmarking.value.push(backboneId);
    try {
      const result = await call('backbone.bench', { backbone: backboneId, batchSize });
      benchmarks.value[backboneId] = result;
      delete benchErrors.value[backboneId];
      return result;
    } catch (err) {
      benchErrors.value[backboneId] = toCallError(err, 'backbone.bench').message;
      return null;
    } finally {
      benchmarking.value = benchmarking.value.filter((id) => id !== backboneId);
    }
  }

  /** Ticks these paths in the extraction panel (replacing what was ticked). */
  function selectForExtraction(paths: readonly string[]): void {
    extractPaths.value = [...new Set(paths)];
  }

  /** Starts an extraction job; its progress shows in the job panel. Returns the job id. */
  async function startExtraction(request: EmbedRequest): Promise<string | null> {
    if (startingExtraction.value) return null;
    startingExtraction.value = true;
    try {
      const { jobId } = await call('embed.start', request);
      extractionJobIds.value.push(jobId);
      extractError.value = null;
      return jobId;
    } catch (err) {
      extractError.value = toCallError(err, 'embed.start');
      return null;
    } finally {
      startingExtraction.value = false;
    }
  }

  /** Follows job.progress (once) and reloads the vector counts whenever an extraction job ends. */
  function watchJobs(): void {
    if (unsubscribe) return;
    unsubscribe = onEvent('job.progress', (event) => {
      if (event.kind === EMBED_JOB_KIND && !isActive(event)) void load();
    });
  }

  function stopWatchingJobs(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return {
    backbones,
    loading,
    error,
    importing,
    importError,
    lastImported,
    benchmarks,
    benchmarking,
    benchErrors,
    extractPaths,
    startingExtraction,
    extractError,
    extractionJobIds,
    load,
    importBackbone,
    clearImportResult,
    bench,
    selectForExtraction,
    startExtraction,
    watchJobs,
    stopWatchingJobs,
  };
});
