import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { ClusterScriptRequest, ClusterStatus, ErrorCode, MethodName, MethodOutput } from '../../../src-shared/contract';
import { call, HistoCallError, toCallError } from '../api/histo-api';
import { waitForJobOutcome } from '../api/job-outcome';
import { useProjectStore } from './project-store';

/** What a finished import (a merge job) reports back. */
export interface ClusterImportResult {
  added: { slides: number; tilings: number; tiles: number; embeddings: number; predictions: number };
  shards: Array<{ file: string; spec: string | null }>;
}

/**
 * Extraction on a Slurm cluster from the workstation: writes (and submits) the array script,
 * follows the array's tasks and the shard files they leave, and imports the finished shards into
 * the open project with a merge job.
 */
export const useClusterStore = defineStore('cluster', () => {
  const outDir = ref<string | null>(null);
  const script = ref<MethodOutput<'cluster.script'> | null>(null);
  const jobId = ref<string | null>(null);
  const status = ref<ClusterStatus | null>(null);
  const busy = ref<'script' | 'status' | 'import' | null>(null);
  const error = ref<HistoCallError | null>(null);
  const imported = ref<ClusterImportResult | null>(null);

  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      imported.value = null;
      error.value = null;
    },
  );

  async function guarded<T>(what: NonNullable<typeof busy.value>, method: MethodName, work: () => Promise<T>): Promise<T | null> {
    busy.value = what;
    try {
      const result = await work();
      error.value = null;
      return result;
    } catch (err) {
      error.value = toCallError(err, method);
      return null;
    } finally {
      busy.value = null;
    }
  }

  /** Writes the script into request.outDir; with request.submit, sbatch runs it and the job id is kept. */
  async function writeScript(request: ClusterScriptRequest): Promise<void> {
    const written = await guarded('script', 'cluster.script', () => call('cluster.script', request));
    if (!written) return;
    script.value = written;
    outDir.value = request.outDir;
    if (written.jobId) jobId.value = written.jobId;
    status.value = null;
    imported.value = null;
  }

  /** Asks for the shard folder's and the array's states. */
  async function refresh(): Promise<void> {
    const dir = outDir.value;
    if (!dir) return;
    const next = await guarded('status', 'cluster.status', () => call('cluster.status', { outDir: dir, ...(jobId.value ? { jobId: jobId.value } : {}) }));
    if (next) status.value = next;
  }

  /** Merges the finished shards into the open project and waits for the merge job. */
  async function importFinished(): Promise<void> {
    const dir = outDir.value;
    if (!dir) return;
    await guarded('import', 'cluster.import', async () => {
      const started = await call('cluster.import', { outDir: dir });
      if (status.value) status.value = { ...status.value, shards: started.shards };
      const outcome = await waitForJobOutcome(started.jobId);
      if (outcome.error) throw new HistoCallError(outcome.error.code as ErrorCode, outcome.error.message, 'cluster.import');
      // The project bar's counts include the merged slides (reloaded first: a new project path resets this store).
      await project.load();
      imported.value = outcome.result as ClusterImportResult;
    });
  }

  /** Follows a folder written earlier (another session), optionally with its job id. */
  function follow(dir: string, id: string | null): void {
    outDir.value = dir;
    jobId.value = id;
    script.value = null;
    status.value = null;
    imported.value = null;
  }

  return { outDir, script, jobId, status, busy, error, imported, writeScript, refresh, importFinished, follow };
});
