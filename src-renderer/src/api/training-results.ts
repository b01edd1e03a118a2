import { z } from '../../../src-shared/zod';
import type { JobOutcome } from '../../../src-shared/contract';

/**
 * The shapes of a training summary and of a learning curve, as `job.result` and `head.get` hand
 * them over (the contract types both as unknown). Parsed here once, at the edge, so components
 * never guess. A score the core could not compute (an AUC with one class in a fold) is null over
 * HTTP and NaN over Electron IPC: both become null.
 */
const Score = z.preprocess((value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), z.number().nullable());
const Scores = z.record(z.string(), Score);
/** A curve point [x, y] (the core may add the threshold as a third value, which plots ignore). */
const Point = z
  .array(z.number().nullable())
  .min(2)
  .transform((p): [number, number] => [p[0] ?? 0, p[1] ?? 0]);

export const ThresholdChoice = z.object({ threshold: z.number(), f1: z.number(), precision: z.number(), recall: z.number() });

/** The paired with/without difference and its 95% CI (src-shared/domain/paired-difference.ts), as JSON carries it. */
export const PairedDifferenceJson = z.object({
  mean: Score,
  ciLow: Score,
  ciHigh: Score,
  pairs: z.number().int(),
  verdict: z.enum(['gain', 'loss', 'no measurable gain']),
  text: z.string(),
});
export type PairedDifferenceJson = z.infer<typeof PairedDifferenceJson>;

/** Which preprocessing the head used, and how 'auto' chose it. */
export const PreprocessingReport = z.object({ requested: z.string(), chosen: z.string(), how: z.string(), statistics: z.string().optional() });

export const TrainRunSummary = z.object({
  /** Present in a job's result; a stored head's summary is keyed by the head instead. */
  headId: z.number().int().optional(),
  kind: z.string(),
  task: z.string(),
  backbone: z.string(),
  metrics: Scores,
  metricsStd: Scores,
  folds: z.array(
    z.object({
      fold: z.number().int(),
      trainRows: z.number().int(),
      testRows: z.number().int(),
      metrics: Scores,
      params: z.record(z.string(), z.unknown()).optional(),
      f1MacroWithout: Score.optional(),
      preprocess: z.string().optional(),
    }),
  ),
  confusion: z.array(z.array(z.number())),
  classes: z.array(z.string()),
  augmentation: z.object({ method: z.string(), f1MacroWithout: Score, f1MacroWith: Score, difference: PairedDifferenceJson.optional() }).optional(),
  /** Absent in heads trained before preprocessing was a stored choice. */
  preprocessing: PreprocessingReport.optional(),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  curves: z.object({
    /** The class the curves are drawn for: the positive class of a binary task, else 'micro'. */
    class: z.string(),
    roc: z.array(Point),
    pr: z.array(Point),
    bestThreshold: ThresholdChoice.optional(),
  }),
  data: z.object({
    tiles: z.number().int(),
    perClass: z.record(z.string(), z.number().int()),
    groups: z.number().int(),
    augmentedViews: z.number().int(),
    missingEmbeddings: z.number().int(),
  }),
  messages: z.array(z.string()),
  seconds: z.number(),
});
export type TrainRunSummary = z.infer<typeof TrainRunSummary>;

export const LearningCurvePoint = z.object({
  labelsPerClass: z.union([z.number(), z.literal('all')]),
  f1Macro: Score,
  f1MacroStd: Score,
  f1MacroAugmented: Score.optional(),
  f1MacroAugmentedStd: Score.optional(),
  difference: PairedDifferenceJson.optional(),
  repeats: z.number().int(),
  trainRows: Score,
});
export type LearningCurvePoint = z.infer<typeof LearningCurvePoint>;

export const LearningCurveResult = z.object({ curve: z.array(LearningCurvePoint), preprocess: z.string().optional(), seconds: z.number() });
export type LearningCurveResult = z.infer<typeof LearningCurveResult>;

/** What a patch-folder import job returns. */
export const PatchFolderResult = z.object({
  images: z.number().int(),
  perClass: z.record(z.string(), z.number().int()),
  failed: z.array(z.object({ path: z.string(), message: z.string() })),
});
export type PatchFolderResult = z.infer<typeof PatchFolderResult>;

/**
 * A finished job's result in the expected shape, or the sentence to show instead: the job's own
 * error when it failed, or what is wrong with a result that does not match (a core/UI mismatch).
 */
export function readJobResult<T>(outcome: JobOutcome, schema: z.ZodType<T>): { value: T } | { error: string } {
  if (outcome.state === 'cancelled') return { error: 'Cancelled.' };
  if (outcome.error) return { error: outcome.error.message };
  const parsed = schema.safeParse(outcome.result);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `the ${outcome.jobId} job returned a result this version cannot read (${issue?.path.join('.') || 'result'}: ${issue?.message ?? 'unexpected shape'})` };
}
