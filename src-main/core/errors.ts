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
  // SQLite gave up waiting for another process's write (see project/shared-access.ts).
  if (typeof (err as { code?: unknown } | null)?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_BUSY')) {
    return { code: 'PROJECT_REFUSED', message: 'the project is busy: another window or process is writing to it; try again when it has finished' };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: message || 'internal error' };
}
