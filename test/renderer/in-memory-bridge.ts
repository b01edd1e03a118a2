import {
  contract,
  isMethodName,
  type CallEnvelope,
  type EventName,
  type EventPayload,
  type HistoBridge,
  type JobEvent,
  type MethodName,
  type MethodOutput,
  type ProjectSummary,
} from '../../src-shared/contract';
import type { z } from '../../src-shared/zod';

type Handler = (input: unknown) => unknown;
/** What a handler may answer: the output schema's input side (a job outcome before its result is checked, NaN allowed). */
type MethodResponse<M extends MethodName> = z.input<(typeof contract)[M]['output']>;

/**
 * A small HistoBridge for store tests: it sits exactly where the preload or the HTTP client would,
 * validates every input against the real contract like the core's dispatcher, and lets a test
 * push events. Handlers throw `{ code, message }` to answer with an error envelope.
 */
export class InMemoryBridge implements HistoBridge {
  readonly calls: { method: MethodName; input: unknown }[] = [];
  private readonly handlers = new Map<MethodName, Handler>();
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();

  handle<M extends MethodName>(method: M, handler: (input: unknown) => MethodResponse<M> | Promise<MethodResponse<M>>): this {
    this.handlers.set(method, handler);
    return this;
  }

  async call<M extends MethodName>(method: M, input: unknown): Promise<CallEnvelope<MethodOutput<M>>> {
    this.calls.push({ method, input });
    if (!isMethodName(method)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method: ${String(method)}` } };
    const parsed = contract[method].input.safeParse(input);
    if (!parsed.success) return { ok: false, error: { code: 'VALIDATION', message: `${method}: ${parsed.error.message}` } };
    const handler = this.handlers.get(method);
    if (!handler) return { ok: false, error: { code: 'INTERNAL', message: `no handler for ${method} in this test` } };
    try {
      // Outputs are checked as the core's dispatcher checks them (job results by kind, NaN to null).
      const checked = contract[method].output.safeParse(await handler(parsed.data));
      if (!checked.success) return { ok: false, error: { code: 'INTERNAL', message: `${method}: output broke the contract: ${checked.error.message}` } };
      return { ok: true, result: checked.data as MethodOutput<M> };
    } catch (err) {
      const { code, message } = err as { code: 'INTERNAL'; message: string };
      return { ok: false, error: { code: code ?? 'INTERNAL', message } };
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const stored = listener as (payload: never) => void;
    set.add(stored);
    return () => set.delete(stored);
  }

  listenerCount(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: EventPayload<E>) => void)(payload);
  }
}

export function projectSummary(path: string): ProjectSummary {
  return {
    path,
    schemaVersion: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    appVersion: '0.1.0',
    defaultBackbone: null,
    counts: { slides: 0, patchSets: 0, backbones: 0, tasks: 0, heads: 0 },
  };
}

export function jobEvent(jobId: string, overrides: Partial<JobEvent> = {}): JobEvent {
  return { jobId, kind: 'extract', state: 'running', done: 0, total: 100, rate: 0, etaSeconds: null, message: '', ...overrides };
}
