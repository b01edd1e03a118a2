import type { z } from 'zod';
import {
  canonicalMethodName,
  contract,
  type CallEnvelope,
  type MethodName,
  type MethodOutput,
} from '../../src-shared/contract';
import { serializeError } from './errors';

type ParsedInput<M extends MethodName> = z.output<(typeof contract)[M]['input']>;

/** One implementation per contract method; the dispatcher hands it input that already passed the schema. */
export type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export type Dispatch = (method: unknown, rawInput: unknown) => Promise<CallEnvelope<unknown>>;

/** Zod issues as one line: "path.to.field: what is wrong; ..." */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * The single gate between a transport (IPC, HTTP, CLI) and the core: unknown methods and
 * malformed input are refused before any handler runs, and every outcome becomes an envelope.
 */
export function createDispatcher(handlers: Handlers): Dispatch {
  return async (requested, rawInput) => {
    // An old name kept for one version after a rename answers as the new one (contract's methodAliases).
    const method = canonicalMethodName(requested);
    if (method === null) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method: ${String(requested).slice(0, 100)}` } };
    }
    const spec = contract[method];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'VALIDATION', message: `${method}: invalid input: ${describeIssues(parsed.error)}` } };
    }
    try {
      const handler = handlers[method] as (input: unknown) => unknown;
      const result = await handler(parsed.data);
      // The output schema is checked too: a handler that breaks the contract is a bug we want loud.
      const checked = spec.output.safeParse(result);
      if (!checked.success) {
        return { ok: false, error: { code: 'INTERNAL', message: `${method}: output broke the contract: ${describeIssues(checked.error)}` } };
      }
      return { ok: true, result: checked.data };
    } catch (err) {
      return { ok: false, error: serializeError(err) };
    }
  };
}
