import { z } from '../zod';

export const LabelResolution = z.object({
  kind: z.enum(['slide', 'image']),
  mpp: z.number().positive().nullable(),
  tileSize: z.number().int().positive(),
  patchSet: z.string().nullable(),
  tiles: z.number().int().nonnegative(),
});

export const TrainingPreflight = z.object({
  /** Sentences for the person about to train: empty when nothing looks wrong. */
  warnings: z.array(z.string()),
  resolutions: z.array(LabelResolution),
});
export type TrainingPreflight = z.infer<typeof TrainingPreflight>;

export const trainingCheckMethods = {
  /** What a training run on this task would mix (resolutions, patches without mpp), checked before it starts. */
  'train.preflight': { input: z.strictObject({ task: z.string().min(1).max(200) }), output: TrainingPreflight },
} as const;
