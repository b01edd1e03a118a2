import type { ErrorCode, SerializedError } from '../../src-shared/contract';

/** An error we expected and can explain: its message names the file or argument at fault. */
export class HistoError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HistoError';
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof HistoError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: message || 'internal error' };
}
