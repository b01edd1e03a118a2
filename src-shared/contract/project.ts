import { z } from '../zod';

/** A filesystem path as the user typed it: non-empty, no NUL byte, of sane length. */
export const FilePath = z
  .string()
  .min(1, 'path is empty')
  .max(4096, 'path is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');

export const ProjectSummary = z.object({
  path: z.string(),
  schemaVersion: z.number().int(),
  createdAt: z.string(),
  appVersion: z.string(),
  /** The backbone chosen for this project (e.g. after a comparison), if any. */
  defaultBackbone: z.string().nullable(),
  /** On network storage (NFS/SMB) a project uses a rollback journal and is locked to one process. */
  storage: z.object({ network: z.boolean(), fsType: z.string().nullable(), journal: z.enum(['wal', 'exclusive-rollback']) }).optional(),
  counts: z.object({
    /** Slide files and standalone images; the images of a patch set count once, as the patch set. */
    slides: z.number().int().nonnegative(),
    patchSets: z.number().int().nonnegative(),
    backbones: z.number().int().nonnegative(),
    tasks: z.number().int().nonnegative(),
    heads: z.number().int().nonnegative(),
  }),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const projectMethods = {
  'project.create': { input: z.strictObject({ path: FilePath }), output: ProjectSummary },
  'project.open': { input: z.strictObject({ path: FilePath }), output: ProjectSummary },
  'project.current': { input: z.strictObject({}), output: ProjectSummary.nullable() },
  'project.close': { input: z.strictObject({}), output: z.null() },
} as const;
