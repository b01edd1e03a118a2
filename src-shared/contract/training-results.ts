import { z } from '../zod';

/**
 * What a training run and a learning curve return (job results, and a stored head's summary), with
 * the scores that may be missing: NaN or ±Infinity (an AUC with one class in a fold) become null.
 */

/** A score that may be missing: NaN or ±Infinity become null. */
export const Score = z.preprocess((value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), z.number().nullable());
export const Scores = z.record(z.string(), Score);
/** A missing curve coordinate is drawn at 0. */
const Coordinate = z.preprocess((value) => (value === null || (typeof value === 'number' && !Number.isFinite(value)) ? 0 : value), z.number());
/** A curve point [x, y, threshold] (threshold null where it is infinite); plots use x and y. */
const CurvePoint = z.tuple([Coordinate, Coordinate], Score);

export const ThresholdChoice = z.object({ threshold: z.number(), f1: z.number(), precision: z.number(), recall: z.number() });
export type ThresholdChoice = z.infer<typeof ThresholdChoice>;

/** The paired with/without difference and its 95% CI (src-shared/domain/paired-difference.ts), with its wording. */
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
export const PreprocessingReport = z.looseObject({
  requested: z.string(),
  chosen: z.string(),
  how: z.string(),
  selection: z.unknown().optional(),
  perFold: z.array(z.string()).optional(),
  statistics: z.string().optional(),
});

/** A training run's summary: the job's result, and what `head.get` returns of a stored head. */
export const TrainSummary = z.looseObject({
  /** Present in a job's result; a stored head's summary is keyed by the head instead. */
  headId: z.number().int().optional(),
  kind: z.string(),
  task: z.string(),
  backbone: z.string(),
  metrics: Scores,
  metricsStd: Scores,
  folds: z.array(
    z.looseObject({
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
  augmentation: z
    .looseObject({
      method: z.string(),
      copies: z.union([z.number(), z.literal('all')]).optional(),
      syntheticWeight: z.number().optional(),
      f1MacroWithout: Score,
      f1MacroWith: Score,
      difference: PairedDifferenceJson.optional(),
    })
    .optional(),
  /** Absent in heads trained before preprocessing was a stored choice. */
  preprocessing: PreprocessingReport.optional(),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  curves: z.object({
    /** The class the curves are drawn for: the positive class of a binary task, else 'micro'. */
    class: z.string(),
    roc: z.array(CurvePoint),
    pr: z.array(CurvePoint),
    bestThreshold: ThresholdChoice.optional(),
  }),
  data: z.looseObject({
    tiles: z.number().int(),
    perClass: z.record(z.string(), z.number().int()),
    groups: z.number().int(),
    augmentedViews: z.number().int(),
    missingEmbeddings: z.number().int(),
  }),
  messages: z.array(z.string()),
  seconds: z.number(),
});
export type TrainSummary = z.infer<typeof TrainSummary>;

export const LearningCurvePoint = z.looseObject({
  labelsPerClass: z.union([z.number(), z.literal('all')]),
  f1Macro: Score,
  f1MacroStd: Score,
  f1MacroAugmented: Score.optional(),
  f1MacroAugmentedStd: Score.optional(),
  difference: PairedDifferenceJson.optional(),
  repeats: z.number().int(),
  /** Mean rows actually drawn per repeat (a class with fewer rows gives all it has). */
  trainRows: Score,
});
export type LearningCurvePoint = z.infer<typeof LearningCurvePoint>;

export const LearningCurveSummary = z.looseObject({ curve: z.array(LearningCurvePoint), preprocess: z.string().optional(), seconds: z.number() });
export type LearningCurveSummary = z.infer<typeof LearningCurveSummary>;
