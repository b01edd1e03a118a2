import type { ErrorCode, SerializedError } from '../../src-shared/contract';

/**
 * An error we expected and can explain: its message names the file or argument at fault. Where the
 * fix is a different action in the app than on the command line, `message` says it in the app's
 * words (a button, a setting) and `cli` is the whole message in the CLI's (a command, a flag).
 */
export class HistoError extends Error {
  readonly cli: string | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; cli?: string },
  ) {
    super(message, options);
    this.name = 'HistoError';
    this.cli = options?.cli;
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof HistoError) return err.cli === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, cli: err.cli };
  // SQLite gave up waiting for another process's write (see project/shared-access.ts).
  if (typeof (err as { code?: unknown } | null)?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_BUSY')) {
    return { code: 'PROJECT_REFUSED', message: 'the project is busy: another window or process is writing to it; try again when it has finished' };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: message || 'internal error' };
}

/** A backbone with nothing embedded yet: search, map and training need its vectors first. */
export function noStoredVectorsError(backboneName: string): HistoError {
  const problem = `backbone '${backboneName}' has no stored vectors in this project`;
  return new HistoError('NOT_FOUND', `${problem}: extract embeddings with it in Backbones first`, { cli: `${problem}: run 'histo embed' with it first` });
}

/** One input a batch job skipped, in the app's words, with the CLI's where they differ. */
export function failureOf(path: string, err: unknown): { path: string; message: string; cli?: string } {
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof HistoError && err.cli !== undefined ? { path, message, cli: err.cli } : { path, message };
}
