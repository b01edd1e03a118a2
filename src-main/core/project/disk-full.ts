import fs from 'node:fs';
import path from 'node:path';
import { HistoError } from '../errors';

/**
 * A full disk (or a file-size limit) as every writer of the project and of exports reports it,
 * so extraction, prediction, export and merge stop with the same one-line message and keep what
 * they stored. SQLite reports ENOSPC as SQLITE_FULL but a file-size limit (EFBIG) as a failed
 * write, so both count.
 */
const FULL_NODE_CODES = new Set(['ENOSPC', 'EFBIG', 'EDQUOT']);
const FULL_SQLITE_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_TRUNCATE']);

export function isDiskFull(err: unknown): boolean {
  if (err instanceof HistoError) return err.code === 'DISK_FULL';
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (FULL_NODE_CODES.has(code) || FULL_SQLITE_CODES.has(code));
}

/** `disk full: <what was kept>, run again after freeing space (<cause>)`. */
export function diskFullError(kept: string, err: unknown): HistoError {
  if (err instanceof HistoError && err.code === 'DISK_FULL') return err;
  const cause = err instanceof Error ? err.message : String(err);
  return new HistoError('DISK_FULL', `disk full: ${kept}, run again after freeing space (${cause})`, { cause: err });
}

/** For loops that record a failing item and go on: a full disk is not the item's fault, stop the whole run. */
export function rethrowIfDiskFull(err: unknown, kept: () => string): void {
  if (isDiskFull(err)) throw diskFullError(kept(), err);
}

/** Runs a writing step; a full disk becomes the one DISK_FULL message naming what was kept. */
export async function stopOnDiskFull<T>(work: () => T | Promise<T>, kept: () => string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    rethrowIfDiskFull(err, kept);
    throw err;
  }
}

/**
 * Writes a file through a temporary sibling renamed into place, so a full disk never leaves a
 * truncated export behind under the real name: the file is complete or absent.
 */
export function writeFileWhole(file: string, write: (put: (chunk: string | Uint8Array) => void) => void): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const fd = fs.openSync(temp, 'w');
  // write(2) may store part of a chunk before the limit and report the rest only on the next call.
  const put = (chunk: string | Uint8Array) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let done = 0; done < bytes.byteLength; ) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
  };
  try {
    try {
      write(put);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    rethrowIfDiskFull(err, () => `${file} was not written`);
    throw err;
  }
}
