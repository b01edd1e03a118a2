import { z } from '../zod';
import { BackboneRef } from './backbones';
import { HeadKindName } from './training';

export const CompareRequest = z.strictObject({
  task: z.string().min(1).max(200),
  backbones: z.array(BackboneRef).min(2).max(20),
  head: HeadKindName.default('logreg'),
  folds: z.number().int().min(2).max(20).default(5),
  seed: z.number().int().min(0).max(2 ** 31).default(0),
  downstream: z.array(z.string().min(1).max(200)).max(20).default([]),
  measureSpeed: z.boolean().default(true),
  bootstrap: z.number().int().min(100).max(10_000).default(1000),
});
export type CompareRequest = z.input<typeof CompareRequest>;

export const BackboneScore = z.object({
  backbone: z.string(),
  backboneId: z.number().int(),
  f1Macro: z.number(),
  f1Std: z.number().nullable(),
  ci95: z.tuple([z.number(), z.number()]),
  balancedAccuracy: z.number().nullable(),
  rocAuc: z.number().nullable(),
  knnAccuracy: z.number().nullable(),
  tilesPerSecond: z.number().nullable(),
  provider: z.string().nullable(),
  dim: z.number().int(),
  storageMBPer10kTiles: z.number(),
  rankMe: z.number().nullable(),
  augInvariance: z.number().nullable(),
  neighbourConsistency: z.number().nullable(),
});

export const ComparisonResult = z.looseObject({
  id: z.number().int(),
  task: z.string(),
  head: z.string(),
  folds: z.number().int(),
  seed: z.number().int(),
  /** Best first, by macro F1. */
  ranking: z.array(BackboneScore),
  /** Pairs whose 95% intervals overlap: this proxy cannot tell them apart. */
  notSeparable: z.array(z.tuple([z.string(), z.string()])),
  transfer: z.array(z.object({ task: z.string(), spearman: z.number().nullable(), f1Macro: z.record(z.string(), z.number()) })),
  seconds: z.number(),
});
export type ComparisonResult = z.infer<typeof ComparisonResult>;

export const compareMethods = {
  /** Starts a comparison job; its result comes from job.result and is stored (compare.get). */
  'compare.start': { input: CompareRequest, output: z.object({ jobId: z.string() }) },
  'compare.list': {
    input: z.strictObject({}),
    output: z.array(z.object({ id: z.number().int(), task: z.string(), createdAt: z.string(), backbones: z.array(z.string()), winner: z.string().nullable(), notSeparable: z.number().int() })),
  },
  'compare.get': { input: z.strictObject({ id: z.number().int().positive() }), output: ComparisonResult },
  /** The backbone new extractions and trainings default to. */
  'project.setDefaultBackbone': { input: z.strictObject({ backbone: BackboneRef }), output: z.null() },
} as const;
