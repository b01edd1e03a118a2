import { z } from '../zod';
import { JobFailure } from './errors';
import { ExecutionProviderName } from './app';
import { FilePath } from './project';
import { ShardSpec } from './shard';

const Rgb = z.tuple([z.number(), z.number(), z.number()]);

export const BackboneSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  dim: z.number().int().positive(),
  inputSize: z.number().int().positive(),
  mean: Rgb,
  std: Rgb,
  sha256: z.string(),
  builtin: z.boolean(),
  source: z.string().nullable(),
  license: z.string().nullable(),
  filePath: z.string(),
  /** Vectors stored for this backbone in the project. */
  embeddings: z.number().int().nonnegative(),
});
export type BackboneSummary = z.infer<typeof BackboneSummary>;

export const BackboneImportRequest = z.strictObject({
  path: FilePath,
  name: z.string().min(1).max(200).optional(),
  inputSize: z.number().int().min(8).max(4096).optional(),
  mean: Rgb.optional(),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).optional(),
  source: z.string().max(2000).optional(),
  license: z.string().max(200).optional(),
});

export const BackboneRef = z.union([z.number().int().positive(), z.string().min(1).max(200)]);

export const ViewMode = z.enum(['none', 'd4', 'stain', 'd4+stain']);
export type ViewMode = z.infer<typeof ViewMode>;

export const EmbedRequest = z
  .strictObject({
    paths: z.array(FilePath).min(1).max(100_000),
    backbone: BackboneRef,
    tileSize: z.number().int().min(8).max(8192).optional(),
    mpp: z.number().positive().max(1000).optional(),
    level: z.number().int().min(0).max(64).optional(),
    minTissue: z.number().min(0).max(1).default(0.5),
    views: ViewMode.default('none'),
    batchSize: z.number().int().min(1).max(4096).default(32),
    dtype: z.enum(['float32', 'float16']).default('float32'),
    provider: z.union([z.literal('auto'), ExecutionProviderName]).default('auto'),
    mppOverride: z.number().positive().max(1000).optional(),
    shard: ShardSpec.optional(),
  })
  .refine((r) => r.mpp === undefined || r.level === undefined, { message: 'give mpp or level, not both' });
export type EmbedRequest = z.input<typeof EmbedRequest>;

/** What an embed job returns (loose, as every job result: see job-results.ts). */
export const EmbedSummary = z.looseObject({
  slides: z.number().int().nonnegative(),
  tiles: z.number().int().nonnegative(),
  views: z.number().int().positive(),
  embedded: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  tilesPerSecond: z.number().nonnegative(),
  provider: ExecutionProviderName,
  failed: z.array(JobFailure),
});
export type EmbedSummary = z.infer<typeof EmbedSummary>;

export const backboneMethods = {
  'backbone.list': { input: z.strictObject({}), output: z.array(BackboneSummary) },
  'backbone.import': { input: BackboneImportRequest, output: BackboneSummary },
  'backbone.bench': {
    input: z.strictObject({ backbone: BackboneRef, batchSize: z.number().int().min(1).max(1024).default(32), provider: z.union([z.literal('auto'), ExecutionProviderName]).default('auto') }),
    output: z.object({ tilesPerSecond: z.number().nonnegative(), provider: ExecutionProviderName, batch: z.number().int() }),
  },
  /** Starts an extraction job; progress arrives as job.progress events. */
  'embed.start': { input: EmbedRequest, output: z.object({ jobId: z.string() }) },
  /** Writes a backbone's stored vectors as CSV, or .npy with a .keys.csv sidecar; view null: every view. */
  'embedding.export': {
    input: z.strictObject({ backbone: BackboneRef, out: FilePath, view: z.number().int().min(0).max(1000).nullable().default(0) }),
    output: z.object({ rows: z.number().int().nonnegative(), dim: z.number().int().positive(), files: z.array(z.string()) }),
  },
} as const;
