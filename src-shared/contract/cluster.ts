import { z } from '../zod';
import { ExecutionProviderName } from './app';
import { BackboneRef, ViewMode } from './backbones';
import { FilePath } from './project';

/** The embed flags every array task runs with (the extraction panel's tiling settings). */
export const ClusterEmbedSettings = z.strictObject({
  tileSize: z.number().int().min(8).max(8192).optional(),
  mpp: z.number().positive().max(1000).optional(),
  level: z.number().int().min(0).max(64).optional(),
  minTissue: z.number().min(0).max(1).optional(),
  views: ViewMode.optional(),
  batchSize: z.number().int().min(1).max(4096).optional(),
});
export type ClusterEmbedSettings = z.infer<typeof ClusterEmbedSettings>;

const SlurmWord = z.string().regex(/^[A-Za-z0-9_.:+-]{1,100}$/, 'letters, digits and . _ : + - only');

export const ClusterScriptRequest = z.strictObject({
  /** A text file with one slide or folder per line, or a folder of slides; on storage the nodes see. */
  slides: z.string().min(1).max(4096),
  shards: z.number().int().min(1).max(10_000),
  /** Where shard-K.histo, logs and the script go; on storage the nodes see. */
  outDir: z.string().min(1).max(4096),
  /** A backbone of the open project: built-in ones by name, imported ones by their model file. */
  backbone: BackboneRef,
  partition: SlurmWord.optional(),
  gpusPerTask: z.number().int().min(0).max(64).optional(),
  cpusPerTask: z.number().int().min(1).max(1024).optional(),
  mem: z.string().regex(/^\d+[KMGT]?$/, 'e.g. 16G').optional(),
  time: z.string().regex(/^[\d:-]{1,20}$/, 'e.g. 4:00:00').optional(),
  provider: ExecutionProviderName.optional(),
  /** How nodes run the CLI; `histo` on their PATH by default. */
  histo: z.string().min(1).max(2000).optional(),
  embed: ClusterEmbedSettings.default({}),
  submit: z.boolean().default(false),
});
export type ClusterScriptRequest = z.input<typeof ClusterScriptRequest>;

export const ArrayTaskState = z.object({ task: z.number().int(), state: z.string(), reason: z.string().nullable() });
export type ArrayTaskState = z.infer<typeof ArrayTaskState>;

export const ShardFolderState = z.object({
  shard: z.number().int().positive(),
  state: z.enum(['done', 'failed', 'missing']),
  detail: z.string().nullable(),
});
export type ShardFolderState = z.infer<typeof ShardFolderState>;

export const ClusterStatus = z.object({
  shards: z.array(ShardFolderState),
  /** The array's tasks as Slurm reports them; null without a job id or when Slurm cannot be asked. */
  tasks: z.array(ArrayTaskState).nullable(),
  slurmError: z.string().nullable(),
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;

export const clusterMethods = {
  /** Writes the array script into outDir (and submits it with sbatch when asked). */
  'cluster.script': {
    input: ClusterScriptRequest,
    output: z.object({ script: z.string(), inputs: z.number().int(), jobId: z.string().nullable() }),
  },
  'cluster.status': {
    input: z.strictObject({ outDir: z.string().min(1).max(4096), jobId: z.string().regex(/^\d{1,20}$/).optional() }),
    output: ClusterStatus,
  },
  /** Merges shard project files into the open project, as a job; the job's result is the merge summary. */
  'project.merge': {
    input: z.strictObject({ shards: z.array(FilePath).min(1).max(100_000) }),
    output: z.object({ jobId: z.string() }),
  },
  /** Merges the finished shards of outDir into the open project, as a job; the job's result is the merge summary. */
  'cluster.import': {
    input: z.strictObject({ outDir: z.string().min(1).max(4096) }),
    output: z.object({ jobId: z.string(), shards: z.array(ShardFolderState) }),
  },
} as const;
