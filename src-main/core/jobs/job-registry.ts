import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { checkJobResult, type JobEvent, type JobOutcome, type JobState, type SerializedError } from '../../../src-shared/contract';
import { HistoError, serializeError } from '../errors';

export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  /** Reports progress; cheap to call per item, events are throttled. */
  progress(done: number, total: number | null, message?: string): void;
  /** Throws a CANCELLED error once the job was cancelled; call it between units of work. */
  throwIfCancelled(): void;
}

interface RunningJob {
  event: JobEvent;
  result?: Promise<unknown>;
  outcome?: { result: unknown; error: SerializedError | null };
  controller: AbortController;
  startedAt: number;
  lastEmit: number;
}

const EMIT_INTERVAL_MS = 200;
const FINISHED_JOBS_KEPT = 50;

/** Runs long work as jobs with progress (done, total, rate, ETA) and cancellation. */
export class JobRegistry extends EventEmitter<{ progress: [JobEvent] }> {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(private readonly now: () => number = () => performance.now()) {
    super();
  }

  start<T>(kind: string, run: (ctx: JobContext) => Promise<T>): { jobId: string; result: Promise<T> } {
    const jobId = randomUUID();
    const job: RunningJob = {
      event: { jobId, kind, state: 'running', done: 0, total: null, rate: 0, etaSeconds: null, message: '' },
      controller: new AbortController(),
      startedAt: this.now(),
      lastEmit: 0,
    };
    this.jobs.set(jobId, job);
    this.emitEvent(job);

    const ctx: JobContext = {
      jobId,
      signal: job.controller.signal,
      progress: (done, total, message) => this.update(job, done, total, message),
      throwIfCancelled: () => {
        if (job.controller.signal.aborted) throw new HistoError('CANCELLED', `${kind} job cancelled`);
      },
    };
    const result = (async () => {
      try {
        const raw = await run(ctx);
        // The result must fit its kind's schema in the contract; parsing it also turns NaN scores into null.
        const checked = checkJobResult(kind, raw);
        if (!checked.ok) throw new HistoError('INTERNAL', `${kind} job: its result broke the contract: ${checked.problem}`);
        const value = checked.result as T;
        job.outcome = { result: value, error: null };
        this.finish(job, job.controller.signal.aborted ? 'cancelled' : 'done', job.event.message);
        return value;
      } catch (err) {
        const cancelled = job.controller.signal.aborted || (err instanceof HistoError && err.code === 'CANCELLED');
        job.outcome = { result: null, error: serializeError(err) };
        this.finish(job, cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
        throw err;
      }
    })();
    // The caller may not await; an unobserved rejection must not take the process down.
    result.catch(() => undefined);
    job.result = result;
    return { jobId, result };
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.event.state !== 'running') return false;
    job.controller.abort();
    return true;
  }

  /** The outcome of a job still remembered: its return value, or its error. */
  resultOf(jobId: string): Promise<unknown> | undefined {
    return this.jobs.get(jobId)?.result;
  }

  /** A finished job's summary or error, for the UI (the CLI awaits `resultOf`). */
  outcome(jobId: string): JobOutcome | null {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    return { jobId, kind: job.event.kind, state: job.event.state, result: job.outcome?.result ?? null, error: job.outcome?.error ?? null };
  }

  list(): JobEvent[] {
    return [...this.jobs.values()].map((j) => ({ ...j.event }));
  }

  private update(job: RunningJob, done: number, total: number | null, message?: string): void {
    const elapsedSeconds = (this.now() - job.startedAt) / 1000;
    const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
    job.event = {
      ...job.event,
      done,
      total,
      rate,
      etaSeconds: total !== null && rate > 0 ? Math.max(0, (total - done) / rate) : null,
      message: message ?? job.event.message,
    };
    if (this.now() - job.lastEmit >= EMIT_INTERVAL_MS || (total !== null && done >= total)) this.emitEvent(job);
  }

  private finish(job: RunningJob, state: JobState, message: string): void {
    job.event = { ...job.event, state, etaSeconds: state === 'done' ? 0 : null, message };
    this.emitEvent(job);
    this.forgetOldJobs();
  }

  private emitEvent(job: RunningJob): void {
    job.lastEmit = this.now();
    this.emit('progress', { ...job.event });
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.entries()].filter(([, j]) => j.event.state !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - FINISHED_JOBS_KEPT))) this.jobs.delete(id);
  }
}
