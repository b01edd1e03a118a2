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
  /** Patch sets whose images the comparison leaves out; slides are always in. */
  excludePatchSets: z.array(z.number().int().positive()).max(1000).default([]),
});
export type CompareRequest = z.input<typeof CompareRequest>;

/** How a patch set's images are grouped into units: case subfolders, TCGA patient barcodes, a shared file-name prefix, or each image alone. */
export const PatchUnitRule = z.enum(['case-folder', 'tcga-patient', 'name-prefix', 'image']);
export type PatchUnitRule = z.infer<typeof PatchUnitRule>;

/**
 * What a comparison resamples (bootstrap) and keeps apart (grouped folds): whole slides, and for
 * each patch set its cases when the file names or folders carry them, else its images. Slides and
 * each patch set are resampled apart, so a replicate never trades slides for patches.
 */
export const ComparisonUnits = z.object({
  /** Slides (and images imported one by one) with labelled tiles. */
  slides: z.object({ count: z.number().int(), tiles: z.number().int() }),
  /** 'slide': whole slides are resampled; 'tile': under 8 slides, so their tiles are, and the interval is narrower than the evidence. */
  slideUnit: z.enum(['slide', 'tile']),
  patchSets: z.array(
    z.object({ id: z.number().int(), name: z.string(), images: z.number().int(), units: z.number().int(), rule: PatchUnitRule, included: z.boolean() }),
  ),
});
export type ComparisonUnits = z.infer<typeof ComparisonUnits>;

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
  /** The units resampled and kept apart (absent from comparisons stored before they were recorded). */
  units: ComparisonUnits.optional(),
});
export type ComparisonResult = z.infer<typeof ComparisonResult>;

export const compareMethods = {
  /** Starts a comparison job; its result comes from job.result and is stored (compare.get). */
  'compare.start': { input: CompareRequest, output: z.object({ jobId: z.string() }) },
  /** What a comparison of a task would resample: slides and each patch set apart, before it starts. */
  'compare.units': {
    input: z.strictObject({ task: z.string().min(1).max(200), excludePatchSets: z.array(z.number().int().positive()).max(1000).default([]) }),
    output: ComparisonUnits,
  },
  'compare.list': {
    input: z.strictObject({}),
    output: z.array(z.object({ id: z.number().int(), task: z.string(), createdAt: z.string(), backbones: z.array(z.string()), winner: z.string().nullable(), notSeparable: z.number().int() })),
  },
  'compare.get': { input: z.strictObject({ id: z.number().int().positive() }), output: ComparisonResult },
  /** The backbone new extractions and trainings default to. */
  'project.setDefaultBackbone': { input: z.strictObject({ backbone: BackboneRef }), output: z.null() },
} as const;
