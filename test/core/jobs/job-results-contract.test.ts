import { describe, expect, it } from 'vitest';
import { contract, JobOutcome } from '../../../src-shared/contract';
import { JobRegistry } from '../../../src-main/core/jobs/job-registry';
import { createDispatcher, type Handlers } from '../../../src-main/core/dispatch';

const mapSummary = { backbone: 'lin', tiles: 120, method: 'umap', seconds: 1.5 };
const curve = {
  curve: [
    { labelsPerClass: 2, f1Macro: Number.NaN, f1MacroStd: Number.NaN, repeats: 0, trainRows: 4 },
    { labelsPerClass: 'all', f1Macro: 0.9, f1MacroStd: 0.05, repeats: 3, trainRows: 20 },
  ],
  preprocess: 'auto',
  seconds: 0.2,
};

describe('job results belong to the contract', () => {
  it('checks a result against its kind when the job ends: NaN scores become null in the core', async () => {
    const jobs = new JobRegistry();
    const { jobId, result } = jobs.start('learning-curve', async () => curve);
    const value = (await result) as typeof curve;
    expect(value.curve[0]!.f1Macro).toBeNull();
    expect(value.curve[0]!.f1MacroStd).toBeNull();
    expect(value.curve[1]!.f1Macro).toBe(0.9);
    expect(jobs.outcome(jobId)).toMatchObject({ kind: 'learning-curve', state: 'done', result: { seconds: 0.2 } });
  });

  it('fails a job whose result breaks its kind\'s schema, in one line naming the field', async () => {
    const jobs = new JobRegistry();
    const { jobId, result } = jobs.start('map', async () => ({ ...mapSummary, tiles: 'many' }));
    await expect(result).rejects.toThrow(/map job: its result broke the contract: tiles: /);
    expect(jobs.outcome(jobId)).toMatchObject({ state: 'failed', result: null, error: { code: 'INTERNAL' } });
  });

  it('keeps fields a schema does not list yet, and leaves kinds without a schema alone', async () => {
    const jobs = new JobRegistry();
    expect(await jobs.start('map', async () => ({ ...mapSummary, warnings: ['few tiles'] })).result).toEqual({ ...mapSummary, warnings: ['few tiles'] });
    expect(await jobs.start('test-kind', async () => ({ anything: Number.NaN })).result).toEqual({ anything: Number.NaN });
  });

  it('job.result hands the checked result over through the dispatcher', async () => {
    const jobs = new JobRegistry();
    const { jobId, result } = jobs.start('learning-curve', async () => curve);
    await result;
    const handlers = { 'job.result': ({ jobId: id }: { jobId: string }) => jobs.outcome(id) } as unknown as Handlers;
    const envelope = await createDispatcher(handlers)('job.result', { jobId });
    expect(envelope).toMatchObject({ ok: true, result: { kind: 'learning-curve', result: { curve: [{ f1Macro: null }, { f1Macro: 0.9 }] } } });
    // An outcome of a known kind whose result does not fit is refused on the way out.
    const bad = contract['job.result'].output.safeParse({ jobId, kind: 'map', state: 'done', result: { backbone: 'lin' }, error: null });
    expect(bad.success).toBe(false);
    expect(JobOutcome.parse({ jobId, kind: 'map', state: 'running', result: null, error: null }).result).toBeNull();
  });
});
