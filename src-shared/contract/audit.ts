import { z } from '../zod';

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  appVersion: z.string(),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()),
  modelSha256: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const auditMethods = {
  /** The project's audit trail, newest first: who imported, extracted, trained, compared, predicted, exported, reviewed. */
  'audit.list': {
    input: z.strictObject({ action: z.string().max(100).optional(), limit: z.number().int().min(1).max(10_000).default(500) }),
    output: z.array(AuditEntry),
  },
} as const;
