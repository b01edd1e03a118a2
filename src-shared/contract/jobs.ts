import { z } from 'zod';

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

/** One progress report of a long job; the same shape on the CLI's stderr, IPC and WebSocket. */
export const JobEvent = z.object({
  jobId: z.string(),
  kind: z.string(),
  state: JobState,
  done: z.number().nonnegative(),
  total: z.number().nonnegative().nullable(),
  /** Items per second since the job started. */
  rate: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string(),
});
export type JobEvent = z.infer<typeof JobEvent>;

export const jobMethods = {
  'job.list': { input: z.strictObject({}), output: z.array(JobEvent) },
  'job.cancel': { input: z.strictObject({ jobId: z.string().min(1).max(100) }), output: z.boolean() },
} as const;
