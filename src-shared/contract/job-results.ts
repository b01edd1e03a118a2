import { z } from '../zod';
import { JobFailure } from './errors';
import { EmbedSummary } from './backbones';
import { ComparisonResult } from './compare';
import { SlideScores } from './prediction';
import { LearningCurveSummary, Scores, TrainSummary } from './training-results';

/**
 * What each kind of job returns, as `job.result` hands it over and the CLI prints it with --json.
 * The job registry checks every result against its kind's schema when the job ends, so a score the
 * core could not compute (NaN: an AUC with one class in a fold) is null everywhere, in the core already.
 * Objects keep keys they do not list (loose): a newer field passes through until it is declared here.
 */

/** What a patch-folder import returns: the task (created from the folder names when new) and the images. */
export const PatchFolderSummary = z.looseObject({
  task: z.object({ id: z.number().int(), name: z.string(), classes: z.array(z.string()) }),
  images: z.number().int(),
  /** Case folders (DIR/<class>/<case>/<image>) the images came in; 0 when the folder has none. */
  cases: z.number().int().optional(),
  perClass: z.record(z.string(), z.number().int()),
  failed: z.array(JobFailure),
});
export type PatchFolderSummary = z.infer<typeof PatchFolderSummary>;

export const PredictionRunSummary = z.looseObject({
  head: z.looseObject({
    id: z.number().int(),
    kind: z.string(),
    task: z.string(),
    classes: z.array(z.string()),
    positive: z.string(),
    threshold: z.number(),
    backbone: z.string(),
    backboneSha256: z.string(),
    metrics: Scores,
  }),
  slides: z.array(
    z.looseObject({
      slideId: z.number().int(),
      path: z.string(),
      tilingId: z.number().int(),
      ...SlideScores.shape,
    }),
  ),
  failed: z.array(JobFailure),
  seconds: z.number(),
});
export type PredictionRunSummary = z.infer<typeof PredictionRunSummary>;

export const MapSummary = z.looseObject({ backbone: z.string(), tiles: z.number().int(), method: z.string(), seconds: z.number() });
export type MapSummary = z.infer<typeof MapSummary>;

const MergeCounts = z.object({
  slides: z.number().int(),
  tilings: z.number().int(),
  tiles: z.number().int(),
  embeddings: z.number().int(),
  predictions: z.number().int(),
});
export const MergeSummary = z.looseObject({
  into: z.string(),
  shards: z.array(
    z.looseObject({
      file: z.string(),
      spec: z.string().nullable(),
      slides: z.number().int(),
      /** Rows this run added; zero everywhere when the shard was merged before. */
      added: MergeCounts,
      /** Predictions of heads the study does not have (a predict shard needs the study's head). */
      predictionsWithoutHead: z.number().int(),
    }),
  ),
  added: MergeCounts,
  seconds: z.number(),
});
export type MergeSummary = z.infer<typeof MergeSummary>;

/** One result schema per job kind: the kind a job is started with names its result. */
export const jobResults = {
  embed: EmbedSummary,
  train: TrainSummary,
  'learning-curve': LearningCurveSummary,
  compare: ComparisonResult,
  predict: PredictionRunSummary,
  map: MapSummary,
  merge: MergeSummary,
  'dataset.import-folder': PatchFolderSummary,
} as const;
export type JobKind = keyof typeof jobResults;
export type JobResult<K extends JobKind> = z.output<(typeof jobResults)[K]>;

export function isJobKind(kind: string): kind is JobKind {
  return Object.prototype.hasOwnProperty.call(jobResults, kind);
}

/** A job's result checked against its kind's schema (NaN scores become null), or the first problem in one line. */
export function checkJobResult(kind: string, result: unknown): { ok: true; result: unknown } | { ok: false; problem: string } {
  if (!isJobKind(kind)) return { ok: true, result };
  const parsed = jobResults[kind].safeParse(result);
  if (parsed.success) return { ok: true, result: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, problem: `${issue.path.join('.') || 'result'}: ${issue.message}` };
}
