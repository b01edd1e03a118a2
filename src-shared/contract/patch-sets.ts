import { z } from '../zod';
import { MppOverride } from './slides';

export const PatchSetId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** An imported patch folder: one dataset entry, listed apart from the slides. */
export const PatchSetSummary = z.object({
  id: PatchSetId,
  name: z.string(),
  rootPath: z.string(),
  images: z.number().int().nonnegative(),
  classes: z.array(z.string()),
  /** The resolution all its images share; null when unknown (the usual case for patches) or mixed. */
  mpp: z.number().positive().nullable(),
  mppSource: z.enum(['file', 'user']).nullable(),
  createdAt: z.string(),
});
export type PatchSetSummary = z.infer<typeof PatchSetSummary>;

export const patchSetMethods = {
  'patchSet.list': { input: z.strictObject({}), output: z.array(PatchSetSummary) },
  /** Stores a user-supplied resolution for every image of a patch set, recorded in the audit log. */
  'patchSet.setMpp': { input: z.strictObject({ patchSetId: PatchSetId, mpp: MppOverride }), output: PatchSetSummary },
} as const;
