import { z } from '../zod';
import { checkJobResult } from './job-results';

/** A job runs from the moment it is started (there is no queue), then ends in one of three states. */
export const JobState = z.enum(['running', 'done', 'failed', 'cancelled']);
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

/**
 * What a finished job produced (its summary) or why it failed; result is null while it still runs.
 * A result of a known kind is checked against that kind's schema (job-results.ts) on the way out.
 */
export const JobOutcome = z
  .object({
    jobId: z.string(),
    kind: z.string(),
    state: JobState,
    result: z.unknown().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .transform((outcome, ctx) => {
    if (outcome.result === null) return outcome;
    const checked = checkJobResult(outcome.kind, outcome.result);
    if (checked.ok) return { ...outcome, result: checked.result };
    ctx.addIssue({ code: 'custom', path: ['result'], message: `${outcome.kind} result: ${checked.problem}` });
    return z.NEVER;
  });
export type JobOutcome = z.output<typeof JobOutcome>;

export const jobMethods = {
  'job.result': { input: z.strictObject({ jobId: z.string().min(1).max(100) }), output: JobOutcome.nullable() },
  'job.list': { input: z.strictObject({}), output: z.array(JobEvent) },
  'job.cancel': { input: z.strictObject({ jobId: z.string().min(1).max(100) }), output: z.boolean() },
} as const;
