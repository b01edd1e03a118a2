import type { MethodInput, MethodName, MethodOutput } from '../../src-shared/contract';
import type { HistoCore } from '../core/histo-core';
import { HistoError } from '../core/errors';
import { UsageError } from './cli-errors';
import { reportProgress } from './progress-reporter';

/**
 * Calls the core through the same dispatcher as the UI, so the CLI gets the contract's validation;
 * invalid input is a usage error (exit 2), anything else a runtime error (exit 1).
 */
export async function callCore<M extends MethodName>(core: Pick<HistoCore, 'dispatch'>, method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const envelope = await core.dispatch(method, input);
  if (envelope.ok) return envelope.result as MethodOutput<M>;
  const { code, message, cli } = envelope.error;
  if (code === 'VALIDATION') throw new UsageError(cli ?? message);
  throw new HistoError(code, cli ?? message);
}

/** Contract methods that start a job and answer with its id. */
type JobMethod = { [M in MethodName]: MethodOutput<M> extends { jobId: string } ? M : never }[MethodName];

/**
 * Starts a job through the dispatcher and waits for its result, with progress on stderr (in `unit`s);
 * Ctrl-C cancels the job, which then ends with a CANCELLED error.
 */
export async function runJob<M extends JobMethod>(core: HistoCore, method: M, input: MethodInput<M>, unit: string): Promise<unknown> {
  const stop = reportProgress(core.jobs, unit);
  let cancel: (() => void) | null = null;
  try {
    const { jobId } = (await callCore(core, method, input)) as { jobId: string };
    const result = core.jobs.resultOf(jobId);
    if (!result) throw new HistoError('INTERNAL', `${method}: job ${jobId} is not known to the core`);
    cancel = () => void core.jobs.cancel(jobId);
    process.once('SIGINT', cancel);
    return await result;
  } finally {
    if (cancel) process.off('SIGINT', cancel);
    stop();
  }
}
