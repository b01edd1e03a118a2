import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src-shared/contract';
import { JobRegistry } from '../../../src-main/core/jobs/job-registry';

describe('JobRegistry', () => {
  it('reports count, rate and ETA, and ends done', async () => {
    let clock = 0;
    const jobs = new JobRegistry(() => clock);
    const events: JobEvent[] = [];
    jobs.on('progress', (e) => events.push(e));
    const { result } = jobs.start('count', async (ctx) => {
      for (let i = 1; i <= 10; i++) {
        clock += 500; // half a second per item: 2 items/s
        ctx.progress(i, 10, `item ${i}`);
      }
      return 'finished';
    });
    expect(await result).toBe('finished');
    const midway = events.find((e) => e.done === 4)!;
    expect(midway.rate).toBeCloseTo(2);
    expect(midway.etaSeconds).toBeCloseTo(3);
    expect(events.at(-1)).toMatchObject({ state: 'done', done: 10, total: 10, etaSeconds: 0 });
    expect(jobs.outcome(events[0]!.jobId)).toEqual({ jobId: events[0]!.jobId, kind: events[0]!.kind, state: 'done', result: 'finished', error: null });
  });

  it('cancels a running job and reports it cancelled', async () => {
    const jobs = new JobRegistry();
    const states: string[] = [];
    jobs.on('progress', (e) => states.push(e.state));
    let cancelHere!: () => void;
    const reached = new Promise<void>((resolve) => (cancelHere = resolve));
    const { jobId, result } = jobs.start('long', async (ctx) => {
      for (let i = 0; i < 1000; i++) {
        if (i === 5) cancelHere();
        await new Promise((r) => setTimeout(r, 1));
        ctx.throwIfCancelled();
      }
    });
    await reached;
    expect(jobs.cancel(jobId)).toBe(true);
    await expect(result).rejects.toThrow(/cancelled/);
    expect(states.at(-1)).toBe('cancelled');
    expect(jobs.cancel(jobId)).toBe(false);
  });

  it('reports a failure with its message', async () => {
    const jobs = new JobRegistry();
    const { jobId, result } = jobs.start('broken', async () => {
      throw new Error('slide.svs: truncated');
    });
    await expect(result).rejects.toThrow('slide.svs: truncated');
    expect(jobs.list().find((j) => j.jobId === jobId)).toMatchObject({ state: 'failed', message: 'slide.svs: truncated' });
    expect(jobs.outcome(jobId)).toMatchObject({ state: 'failed', result: null, error: { code: 'INTERNAL', message: 'slide.svs: truncated' } });
  });
});
