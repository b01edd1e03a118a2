import { z } from '../zod';

/** Shard K of N (1-based): the slides whose content fingerprint falls into it. */
export const ShardSpec = z
  .strictObject({ index: z.number().int().min(1), count: z.number().int().min(1).max(100_000) })
  .refine((s) => s.index <= s.count, { message: 'shard index must lie in 1..count' });
export type ShardSpec = z.infer<typeof ShardSpec>;
