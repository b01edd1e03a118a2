import { z } from '../zod';
import { FilePath } from './project';
import { ShardSpec } from './shard';

const HeadId = z.number().int().positive();
const Threshold = z.number().min(0).max(1);
/** The class of interest: a class name, null for all classes (argmax with confidence), left out for the head's own. */
const Focus = z.string().min(1).max(64).nullable().optional();

/** A slide's predictions summarised at a threshold. */
export const SlideScores = z.object({
  tiles: z.number().int(),
  positive: z.number().int(),
  fraction: z.number(),
  max: z.number(),
  mean: z.number(),
  meanTopK: z.number(),
  /** Called tiles per mm² of tiled tissue: detection-style tasks with a known resolution only. */
  positivesPerMm2: z.number().nullable(),
  /** Tiles whose most likely class is each class (at any threshold). */
  perClass: z.record(z.string(), z.number().int()),
});

export const SlidePredictionSummary = z.object({
  slideId: z.number().int(),
  path: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  ...SlideScores.shape,
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
    input: z.strictObject({
      head: HeadId,
      paths: z.array(FilePath).min(1).max(10_000),
      threshold: Threshold.optional(),
      positive: z.string().max(64).optional(),
      /** Only the slides of this shard (a cluster array task). */
      shard: ShardSpec.optional(),
    }),
    output: z.object({ jobId: z.string() }),
  },
  /** What a prediction of these paths would do differently from the head's training data (tile size, resolution), checked before it starts. */
  'predict.preflight': {
    input: z.strictObject({ head: HeadId, paths: z.array(FilePath).max(10_000) }),
    /** Sentences for the person about to predict: empty when nothing looks wrong. */
    output: z.object({ warnings: z.array(z.string()) }),
  },
  /** Slides a head has predicted, summarised at a threshold (default: the head's F1-optimal one). */
  'predict.slides': {
    input: z.strictObject({ head: HeadId, threshold: Threshold.optional(), focus: Focus }),
    output: z.object({
      classes: z.array(z.string()),
      /** The head's own class of interest (what `focus` left out means); null: all classes. */
      positive: z.string().nullable(),
      /** The class these figures are about; null: all classes, scored by confidence. */
      focus: z.string().nullable(),
      threshold: z.number(),
      /** The focus's own starting threshold (the head's F1-optimal one for its curve's class, else 0.5). */
      defaultThreshold: z.number(),
      /** The task counts objects (per-mm² densities mean something). */
      detection: z.boolean(),
      slides: z.array(SlidePredictionSummary),
    }),
  },
  'predict.export': {
    input: z.strictObject({
      head: HeadId,
      slideIds: z.array(z.number().int().positive()).max(10_000).optional(),
      threshold: Threshold.optional(),
      focus: Focus,
      csv: FilePath.optional(),
      geojson: FilePath.optional(),
      merge: z.boolean().default(false),
      summary: FilePath.optional(),
      report: FilePath.optional(),
      /** A folder for one class/probability map TIFF per slide. */
      map: FilePath.optional(),
    }),
    output: z.object({ files: z.array(z.string()) }),
  },
  'review.queue': {
    input: z.strictObject({ head: HeadId, mode: z.enum(['top', 'uncertain']), slideId: z.number().int().positive().optional(), limit: z.number().int().min(1).max(500).default(48), includeDecided: z.boolean().default(false), threshold: Threshold.optional(), focus: Focus }),
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
