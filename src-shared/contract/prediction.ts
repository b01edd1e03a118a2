import { z } from '../zod';
import { FilePath } from './project';

const HeadId = z.number().int().positive();
const Threshold = z.number().min(0).max(1);

export const SlidePredictionSummary = z.object({
  slideId: z.number().int(),
  path: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  tiles: z.number().int(),
  positive: z.number().int(),
  fraction: z.number(),
  max: z.number(),
  mean: z.number(),
  meanTopK: z.number(),
  positivesPerMm2: z.number().nullable(),
});

export const ReviewItem = z.object({
  tileId: z.number().int(),
  slideId: z.number().int(),
  path: z.string(),
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  predicted: z.string(),
  score: z.number(),
  probs: z.array(z.number()),
  decision: z.enum(['accept', 'reject', 'relabel']).nullable(),
  label: z.string().nullable(),
  /** How far the tile lies from the head's training data, as a percentile of the training tiles' own distances (100: beyond all of them). */
  ood: z.number().min(0).max(100).nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const predictionMethods = {
  /** Runs a head over slides as a job (tiling and embedding what is missing); summary via job.result. */
  'predict.start': {
    input: z.strictObject({ head: HeadId, paths: z.array(FilePath).min(1).max(10_000), threshold: Threshold.optional(), positive: z.string().max(64).optional() }),
    output: z.object({ jobId: z.string() }),
  },
  /** Slides a head has predicted, summarised at a threshold (default: the head's F1-optimal one). */
  'predict.slides': {
    input: z.strictObject({ head: HeadId, threshold: Threshold.optional() }),
    output: z.object({ classes: z.array(z.string()), positive: z.string(), threshold: z.number(), slides: z.array(SlidePredictionSummary) }),
  },
  'predict.export': {
    input: z.strictObject({
      head: HeadId,
      slideIds: z.array(z.number().int().positive()).max(10_000).optional(),
      threshold: Threshold.optional(),
      csv: FilePath.optional(),
      geojson: FilePath.optional(),
      merge: z.boolean().default(false),
      summary: FilePath.optional(),
      report: FilePath.optional(),
    }),
    output: z.object({ files: z.array(z.string()) }),
  },
  'review.queue': {
    input: z.strictObject({ head: HeadId, mode: z.enum(['top', 'uncertain']), slideId: z.number().int().positive().optional(), limit: z.number().int().min(1).max(500).default(48), includeDecided: z.boolean().default(false), threshold: Threshold.optional() }),
    output: z.array(ReviewItem),
  },
  'review.decide': {
    input: z.strictObject({ head: HeadId, tileId: z.number().int().positive(), decision: z.enum(['accept', 'reject', 'relabel']), className: z.string().max(64).optional(), author: z.string().max(200).optional() }),
    output: z.object({ tileId: z.number().int(), decision: z.string(), label: z.string().nullable() }),
  },
  'review.progress': {
    input: z.strictObject({ head: HeadId }),
    output: z.array(z.object({ slideId: z.number().int(), path: z.string(), predicted: z.number().int(), reviewed: z.number().int(), accepted: z.number().int(), rejected: z.number().int(), relabelled: z.number().int() })),
  },
} as const;
