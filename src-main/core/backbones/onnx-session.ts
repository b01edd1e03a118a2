import type { InferenceSession } from 'onnxruntime-node';
import type { ExecutionProviderName } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import { loadOrt } from '../onnx/ort';
import { autoExecutionProviders } from '../runtime/execution-providers';

export interface SessionOptions {
  /** 'auto' (default) tries the providers this machine has, best first; a name forces that one. */
  provider?: 'auto' | ExecutionProviderName;
  /** Threads for one operator on the CPU provider; ONNX Runtime picks when absent. */
  intraOpThreads?: number;
}

export interface OpenedSession {
  session: InferenceSession;
  /** The provider the session was created with. */
  provider: ExecutionProviderName;
}

function describe(model: string | Uint8Array): string {
  return typeof model === 'string' ? model : `model (${model.byteLength} bytes)`;
}

function sessionOptions(provider: ExecutionProviderName, opts: SessionOptions): InferenceSession.SessionOptions {
  const options: InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
  };
  if (opts.intraOpThreads !== undefined) options.intraOpNumThreads = opts.intraOpThreads;
  return options;
}

async function create(model: string | Uint8Array, options: InferenceSession.SessionOptions): Promise<InferenceSession> {
  const { InferenceSession } = loadOrt();
  return typeof model === 'string' ? InferenceSession.create(model, options) : InferenceSession.create(model, options);
}

/**
 * The one factory for ONNX Runtime sessions. With provider 'auto' it tries each provider this
 * machine offers, best first, and falls back to the next when one fails to load (a missing CUDA
 * library, a driver too old); CPU comes last and is expected to work. A forced provider that fails
 * is an error naming it. An error from the CPU provider (a broken model, an unsupported operator)
 * is rethrown as ONNX Runtime worded it: callers wrap it with the file name.
 */
export async function createSession(model: string | Uint8Array, opts: SessionOptions = {}): Promise<OpenedSession> {
  const requested = opts.provider ?? 'auto';
  if (opts.intraOpThreads !== undefined && !(Number.isInteger(opts.intraOpThreads) && opts.intraOpThreads >= 0)) {
    throw new HistoError('BAD_INPUT', `intraOpThreads must be a whole number >= 0, got ${opts.intraOpThreads}`);
  }
  if (requested !== 'auto') {
    try {
      return { session: await create(model, sessionOptions(requested, opts)), provider: requested };
    } catch (err) {
      if (requested === 'cpu') throw err;
      throw new HistoError(
        'BAD_INPUT',
        `${describe(model)}: execution provider '${requested}' failed to start: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const candidates = autoExecutionProviders();
  for (const provider of candidates) {
    if (provider === 'cpu') break;
    try {
      return { session: await create(model, sessionOptions(provider, opts)), provider };
    } catch {
      // This provider cannot run here (library, driver or device missing): try the next one.
    }
  }
  return { session: await create(model, sessionOptions('cpu', opts)), provider: 'cpu' };
}
