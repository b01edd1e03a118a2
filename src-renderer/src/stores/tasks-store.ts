import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { JobState, MethodInput, MethodOutput, PatchFolderSummary, TaskSummary } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { readJobResult, waitForJobOutcome } from '../api/job-outcome';
import { useCallAction } from '../composables/use-call-action';
import { useProjectStore } from './project-store';

export type LabelsImportInput = MethodInput<'label.import'>;
export type LabelsImportResult = MethodOutput<'label.import'>;
export type LabelsExportInput = MethodInput<'label.export'>;
export type LabelsExportResult = MethodOutput<'label.export'>;

/** A patch-folder import started here, followed until it ends. */
export interface FolderImport {
  jobId: string;
  path: string;
  task: string;
  state: JobState;
  result: PatchFolderSummary | null;
  error: string | null;
}

/**
 * The tasks of the open project with their label counts, and the actions that add labels to them:
 * creating a task, importing a CSV or QuPath GeoJSON file, importing a patch folder (a job), and
 * exporting labels. Each action keeps its own result and error so the view can show them beside
 * the form that caused them.
 */
export const useTasksStore = defineStore('tasks', () => {
  const tasks = ref<TaskSummary[]>([]);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);

  const creating = ref(false);
  const createError = ref<HistoCallError | null>(null);

  const importingLabels = ref(false);
  const labelsImportError = ref<HistoCallError | null>(null);
  const lastLabelsImport = ref<LabelsImportResult | null>(null);

  const startingFolder = ref(false);
  const folderError = ref<HistoCallError | null>(null);
  const folderImport = ref<FolderImport | null>(null);

  const { running: exporting, error: exportError, result: lastExport, run: runExport, clear: clearExport } = useCallAction('label.export');

  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      createError.value = null;
      labelsImportError.value = null;
      lastLabelsImport.value = null;
      folderError.value = null;
      folderImport.value = null;
      exportError.value = null;
      lastExport.value = null;
    },
  );

  function replace(task: TaskSummary): void {
    const index = tasks.value.findIndex((t) => t.id === task.id);
    if (index === -1) tasks.value.push(task);
    else tasks.value.splice(index, 1, task);
  }

  async function load(): Promise<void> {
    loading.value = true;
    try {
      tasks.value = await call('task.list', {});
      error.value = null;
    } catch (err) {
      const callError = toCallError(err, 'task.list');
      tasks.value = [];
      // No project open is a state the view explains, not an error.
      error.value = callError.code === 'NO_PROJECT' ? null : callError;
    } finally {
      loading.value = false;
    }
  }

  /**
   * Creates a task; blank and repeated class names are dropped before the call. A detection-style
   * task (counting objects) gets densities per mm² in Review.
   */
  async function create(name: string, classes: readonly string[], detection = false): Promise<TaskSummary | null> {
    if (creating.value) return null;
    creating.value = true;
    try {
      const cleaned = [...new Set(classes.map((c) => c.trim()).filter(Boolean))];
      const task = await call('task.create', { name: name.trim(), classes: cleaned, ...(detection ? { detection } : {}) });
      replace(task);
      createError.value = null;
      // The project bar counts tasks.
      void project.load();
      return task;
    } catch (err) {
      createError.value = toCallError(err, 'task.create');
      return null;
    } finally {
      creating.value = false;
    }
  }

  /** Imports a CSV or GeoJSON label file; all or nothing, so a refusal leaves the counts as they were. */
  async function importLabels(input: LabelsImportInput): Promise<LabelsImportResult | null> {
    if (importingLabels.value) return null;
    importingLabels.value = true;
    try {
      const request: LabelsImportInput = { task: input.task, path: input.path.trim() };
      if (input.slide) request.slide = input.slide;
      if (input.author?.trim()) request.author = input.author.trim();
      const result = await call('label.import', request);
      lastLabelsImport.value = result;
      labelsImportError.value = null;
      await load();
      return result;
    } catch (err) {
      labelsImportError.value = toCallError(err, 'label.import');
      lastLabelsImport.value = null;
      return null;
    } finally {
      importingLabels.value = false;
    }
  }

  function clearLabelsImport(): void {
    labelsImportError.value = null;
    lastLabelsImport.value = null;
  }

  /**
   * Starts importing an ImageFolder dataset (DIR/<class>/<image> or DIR/<class>/<case>/<image>) as a job and follows it; the
   * task is created from the folder names when it does not exist. Returns the job id.
   */
  async function importFolder(path: string, task: string): Promise<string | null> {
    if (startingFolder.value) return null;
    startingFolder.value = true;
    let jobId: string;
    try {
      jobId = (await call('dataset.importFolder', { path: path.trim(), task: task.trim() })).jobId;
      folderError.value = null;
    } catch (err) {
      folderError.value = toCallError(err, 'dataset.importFolder');
      return null;
    } finally {
      startingFolder.value = false;
    }
    folderImport.value = { jobId, path: path.trim(), task: task.trim(), state: 'running', result: null, error: null };
    void follow(jobId);
    return jobId;
  }

  async function follow(jobId: string): Promise<void> {
    let update: Partial<FolderImport>;
    try {
      const outcome = await waitForJobOutcome(jobId);
      const read = readJobResult(outcome, 'dataset.import-folder');
      update = { state: outcome.state, ...('value' in read ? { result: read.value } : { error: read.error }) };
    } catch (err) {
      update = { state: 'failed', error: toCallError(err, 'job.result').message };
    }
    if (folderImport.value?.jobId !== jobId) return; // another import (or project) replaced it meanwhile
    folderImport.value = { ...folderImport.value, ...update };
    await load();
    void project.load();
  }

  function exportLabels(input: LabelsExportInput): Promise<LabelsExportResult | null> {
    return runExport(() => {
      const request: LabelsExportInput = { task: input.task, out: input.out.trim() };
      if (input.slide) request.slide = input.slide;
      return call('label.export', request);
    });
  }

  return {
    tasks,
    loading,
    error,
    creating,
    createError,
    importingLabels,
    labelsImportError,
    lastLabelsImport,
    startingFolder,
    folderError,
    folderImport,
    exporting,
    exportError,
    lastExport,
    load,
    create,
    importLabels,
    clearLabelsImport,
    importFolder,
    exportLabels,
    clearExport,
  };
});
