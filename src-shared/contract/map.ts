import { z } from '../zod';
import { BackboneRef } from './backbones';
import { FilePath } from './project';

const Id = z.number().int().positive();

/** What colours the points: a category per tile (label, predicted class, slide) or a value in [0, 1] (probability, OOD score). */
export const MapColorBy = z.discriminatedUnion('by', [
  z.strictObject({ by: z.literal('slide') }),
  z.strictObject({ by: z.literal('label'), task: z.union([Id, z.string().min(1).max(64)]) }),
  z.strictObject({ by: z.literal('predicted'), head: Id }),
  z.strictObject({ by: z.literal('probability'), head: Id, className: z.string().min(1).max(64).optional() }),
  /** How far each tile lies from the head's training data: its OOD percentile / 100 (1: beyond every training tile). */
  z.strictObject({ by: z.literal('ood'), head: Id }),
]);
export type MapColorBy = z.infer<typeof MapColorBy>;

export const MapColors = z.object({
  kind: z.enum(['category', 'scalar']),
  /** Category names (kind category); values index into them, -1 = none (unlabelled, unpredicted). */
  categories: z.array(z.string()),
  /** Per point, in the map's tile order: a category index, or a value in [0, 1] (-1 = none). */
  values: z.array(z.number()),
});
export type MapColors = z.infer<typeof MapColors>;

export const StudyMap = z.object({
  backbone: z.string(),
  method: z.string(),
  createdAt: z.string(),
  seconds: z.number(),
  tileIds: z.array(z.number().int()),
  x: z.array(z.number()),
  y: z.array(z.number()),
  colors: MapColors,
});
export type StudyMap = z.infer<typeof StudyMap>;

export const mapMethods = {
  /** Computes (or recomputes) a backbone's map as a job; the map is stored in the project. */
  'map.start': { input: z.strictObject({ backbone: BackboneRef, sample: z.number().int().min(50).max(200_000).optional() }), output: z.object({ jobId: z.string() }) },
  /** The stored map of a backbone with point colours; null when none was computed yet. */
  'map.get': { input: z.strictObject({ backbone: BackboneRef, colorBy: MapColorBy.default({ by: 'slide' }) }), output: StudyMap.nullable() },
  /** Writes the stored map as CSV or JSON, one row per tile. */
  'map.export': { input: z.strictObject({ backbone: BackboneRef, out: FilePath }), output: z.object({ file: z.string(), tiles: z.number().int() }) },
} as const;
