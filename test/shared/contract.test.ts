import { describe, expect, it } from 'vitest';
import { canonicalMethodName, contract, isMethodName, JobEvent, methodAliases, methodNames } from '../../src-shared/contract';
import { createDispatcher, type Handlers } from '../../src-main/core/dispatch';
import { HistoError } from '../../src-main/core/errors';

describe('the contract', () => {
  it('declares input and output schemas for every method', () => {
    expect(methodNames).toEqual(expect.arrayContaining(['app.info', 'project.create', 'project.open', 'project.current']));
    for (const name of methodNames) {
      expect(typeof contract[name].input.safeParse).toBe('function');
      expect(typeof contract[name].output.safeParse).toBe('function');
    }
  });

  it('refuses inherited and unknown names', () => {
    expect(isMethodName('app.info')).toBe(true);
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
    expect(isMethodName(42)).toBe(false);
  });

  it.each([
    ['missing path', {}],
    ['empty path', { path: '' }],
    ['path of the wrong type', { path: 7 }],
    ['NUL byte', { path: 'a\0b' }],
    ['extra field', { path: 'a.histo', evil: true }],
    ['not an object', 'a.histo'],
  ])('rejects project.create with %s', (_label, input) => {
    expect(contract['project.create'].input.safeParse(input).success).toBe(false);
  });

  it('validates job events', () => {
    const good = { jobId: 'j', kind: 'embed', state: 'running', done: 3, total: 10, rate: 1.5, etaSeconds: 4.6, message: '' };
    expect(JobEvent.safeParse(good).success).toBe(true);
    expect(JobEvent.safeParse({ ...good, state: 'exploded' }).success).toBe(false);
    expect(JobEvent.safeParse({ ...good, done: -1 }).success).toBe(false);
  });
});

describe('the dispatcher', () => {
  const calls: unknown[] = [];
  const handlers = {
    'app.info': () => {
      throw new HistoError('NOT_FOUND', 'x.svs: no such file');
    },
    'project.create': (input: unknown) => {
      calls.push(input);
      return { path: 'p', schemaVersion: 1, createdAt: '', appVersion: '', defaultBackbone: null, counts: { slides: 0, patchSets: 0, backbones: 0, tasks: 0, heads: 0 } };
    },
    'project.open': () => ({ wrong: 'shape' }),
    'project.current': () => null,
    'project.close': () => null,
    'job.list': () => [],
    'job.cancel': () => false,
  } as unknown as Handlers;
  const dispatch = createDispatcher(handlers);

  it('never runs a handler on malformed input', async () => {
    const envelope = await dispatch('project.create', { path: 12 });
    expect(envelope).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(!envelope.ok && envelope.error.message).toMatch(/path/);
    expect(calls).toHaveLength(0);
    expect(await dispatch('project.create', { path: 'ok.histo' })).toMatchObject({ ok: true });
    expect(calls).toEqual([{ path: 'ok.histo' }]);
  });

  it('refuses unknown methods', async () => {
    expect(await dispatch('fs.delete', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('answers a renamed method under its old name for one version, with the same validation', async () => {
    const answered: string[] = [];
    const aliasDispatch = createDispatcher({ 'head.list': () => (answered.push('head.list'), []), 'slide.setMpp': () => answered.push('slide.setMpp') } as unknown as Handlers);
    expect(await aliasDispatch('heads.list', {})).toEqual({ ok: true, result: [] });
    expect(await aliasDispatch('head.list', {})).toEqual({ ok: true, result: [] });
    expect(await aliasDispatch('slides.setMpp', { slideId: 1, mpp: -2 })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^slide\.setMpp: invalid input/) } });
    expect(answered).toEqual(['head.list', 'head.list']);
    // Every old name points at a method of the contract, and none shadows one.
    for (const [old, current] of Object.entries(methodAliases)) {
      expect(isMethodName(current)).toBe(true);
      expect(isMethodName(old)).toBe(false);
      expect(canonicalMethodName(old)).toBe(current);
    }
    expect(canonicalMethodName('heads.delete')).toBeNull();
  });

  it('keeps the code of expected errors and flags contract-breaking output', async () => {
    expect(await dispatch('app.info', {})).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'x.svs: no such file' } });
    expect(await dispatch('project.open', { path: 'a' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
