import type { MethodInput, MethodName, MethodOutput } from '../../src-shared/contract';
import type { HistoCore } from '../core/histo-core';
import { HistoError } from '../core/errors';
import { UsageError } from './cli-errors';

/**
 * Calls the core through the same dispatcher as the UI, so the CLI gets the contract's validation;
 * invalid input is a usage error (exit 2), anything else a runtime error (exit 1).
 */
export async function callCore<M extends MethodName>(core: HistoCore, method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const envelope = await core.dispatch(method, input);
  if (envelope.ok) return envelope.result as MethodOutput<M>;
  const { code, message, cli } = envelope.error;
  if (code === 'VALIDATION') throw new UsageError(cli ?? message);
  throw new HistoError(code, cli ?? message);
}
