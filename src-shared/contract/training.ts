import { z } from '../zod';
import { BackboneRef } from './backbones';
import { FilePath } from './project';
import { Scores, TrainSummary } from './training-results';

const ClassName = z.string().min(1).max(64);

export const TaskSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  classes: z.array(z.string()),
  /** The task counts objects (detection-style): Review shows called tiles per mm². */
  detection: z.boolean(),
  labels: z.object({
    perClass: z.record(z.string(), z.number().int()),
    perSlide: z.array(z.object({ slideId: z.number().int(), path: z.string(), counts: z.record(z.string(), z.number().int()) })),
  }),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

export const HeadKindName = z.enum(['logreg', 'mlp', 'knn']);
export type HeadKindName = z.infer<typeof HeadKindName>;
export const MetricName = z.enum(['f1', 'f1Macro', 'precision', 'recall', 'balancedAccuracy', 'rocAuc', 'prAuc', 'accuracy']);
export type MetricName = z.infer<typeof MetricName>;

/** Augmentation methods joined with '+': views, noise, mixup, smote (or none). */
export const AugmentSpec = z
  .string()
  .max(100)
  .regex(/^(none|((views|noise|mixup|smote)(\+(views|noise|mixup|smote))*))$/, 'augment is none, or views, noise, mixup, smote joined with +');

/** Head preprocessing: auto (nested CV, fixed fallback with few labels) or one fixed choice. */
export const PreprocessName = z.enum(['auto', 'none', 'l2', 'standardize', 'standardize-project']);
export type PreprocessName = z.infer<typeof PreprocessName>;

export const TrainStartRequest = z.strictObject({
  task: z.string().min(1).max(200),
  backbone: BackboneRef,
  kind: HeadKindName,
  folds: z.number().int().min(2).max(50).default(5),
  group: z.string().min(1).max(100).default('slide'),
  augment: AugmentSpec.default('none'),
  preprocess: PreprocessName.default('auto'),
  /** Stored views per labelled row for views augmentation: 'all' (default) or a number. */
  copies: z.union([z.literal('all'), z.number().int().min(1).max(1000)]).default('all'),
  /** Loss weight of synthetic rows relative to labelled ones. */
  syntheticWeight: z.number().positive().max(100).default(1),
  search: z.boolean().default(false),
  searchMetric: MetricName.optional(),
  positive: ClassName.optional(),
  seed: z.number().int().min(0).max(2 ** 31).default(0),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.number())])).optional(),
  /** Learning-curve mode instead of one training: labels per class, e.g. [2, 5, 10, 'all']. */
  labelsPerClass: z.array(z.union([z.number().int().min(1).max(100_000), z.literal('all')])).min(1).max(20).optional(),
  repeats: z.number().int().min(1).max(100).default(10),
});
export type TrainStartRequest = z.input<typeof TrainStartRequest>;

export const HeadListing = z.object({
  id: z.number().int(),
  task: z.string(),
  taskId: z.number().int(),
  backbone: z.string(),
  backboneId: z.number().int(),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  metrics: Scores,
  metricsStd: Scores,
  classes: z.array(z.string()),
  trainSeconds: z.number(),
  createdAt: z.string(),
});
export type HeadListing = z.infer<typeof HeadListing>;

export const trainingMethods = {
  'task.list': { input: z.strictObject({}), output: z.array(TaskSummary) },
  'task.create': { input: z.strictObject({ name: ClassName, classes: z.array(ClassName).min(2).max(100), detection: z.boolean().default(false) }), output: TaskSummary },
  'label.import': {
    input: z.strictObject({ task: z.string().min(1).max(200), path: FilePath, slide: FilePath.optional(), author: z.string().max(200).optional() }),
    output: z.object({ file: z.string(), labels: z.number().int(), perClass: z.record(z.string(), z.number().int()) }),
  },
  'label.export': {
    input: z.strictObject({ task: z.string().min(1).max(200), out: FilePath, slide: FilePath.optional() }),
    output: z.object({ file: z.string(), labels: z.number().int() }),
  },
  'dataset.importFolder': {
    input: z.strictObject({ path: FilePath, task: z.string().min(1).max(200) }),
    output: z.object({ jobId: z.string() }),
  },
  /** Trains (or draws a learning curve) as a job; the summary comes from job.result. */
  'train.start': { input: TrainStartRequest, output: z.object({ jobId: z.string() }) },
  'head.list': { input: z.strictObject({}), output: z.array(HeadListing) },
  /** A head's full training summary: folds, confusion, ROC/PR curves, threshold, augmentation gain. */
  'head.get': { input: z.strictObject({ id: z.number().int().positive() }), output: z.object({ listing: HeadListing, summary: TrainSummary }) },
  'head.export': {
    input: z.strictObject({ id: z.number().int().positive(), out: FilePath, withBackbone: z.boolean().default(false) }),
    output: z.object({
      file: z.string(),
      headId: z.number().int(),
      kind: z.string(),
      classes: z.array(z.string()),
      withBackbone: z.boolean(),
      backbone: z.string(),
      /** The model's input and output as a consumer must feed and read them. */
      input: z.object({ name: z.string(), shape: z.array(z.union([z.string(), z.number()])), mean: z.array(z.number()).optional(), std: z.array(z.number()).optional() }),
      output: z.object({ name: z.string(), shape: z.array(z.union([z.string(), z.number()])) }),
    }),
  },
} as const;
