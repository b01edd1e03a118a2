import fs from 'node:fs/promises';
import { HistoError } from '../errors';
import { badSlide } from './slide-error';

/**
 * Positional reads from one open file, every read checked against the file size first so a
 * hostile offset or length can neither allocate nor read past the end.
 */
export class FileReader {
  /** Descriptors lent out (lend()) and not yet given back: close() waits for them. */
  private lent = 0;
  private drained: (() => void) | null = null;
  private closed: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly handle: fs.FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileReader> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new HistoError('NOT_FOUND', `${path}: no such file`);
      if (code === 'EISDIR') throw badSlide(path, 'is a folder, not a slide file');
      throw badSlide(path, `cannot open: ${(err as Error).message}`, err);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw badSlide(path, 'is not a regular file');
      return new FileReader(path, handle, stat.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Throws naming `what` unless `length` bytes at `offset` lie inside the file. */
  checkSpan(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw badSlide(this.path, `${what} has an invalid offset or length`);
    }
    if (offset + length > this.size) {
      throw badSlide(this.path, `${what} lies past the end of the file (bytes ${offset}..${offset + length} of ${this.size}; truncated file?)`);
    }
  }

  /**
   * Lends the file's descriptor to `use` (a decode worker reads a tile with it on its own thread).
   * The file stays open until every loan has settled: a descriptor closed under a worker could be
   * reused by the next file opened and read as the wrong file's bytes.
   */
  async lend<T>(use: (fd: number) => Promise<T>): Promise<T> {
    if (this.closed) throw badSlide(this.path, 'read after the slide was closed');
    this.lent++;
    try {
      return await use(this.handle.fd);
    } finally {
      if (--this.lent === 0) this.drained?.();
    }
  }

  /** Reads exactly `length` bytes at `offset`, or throws naming `what` when they lie past the end. */
  async read(offset: number, length: number, what: string): Promise<Uint8Array> {
    this.checkSpan(offset, length, what);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(out, done, length - done, offset + done);
      if (bytesRead === 0) throw badSlide(this.path, `${what}: unexpected end of file`);
      done += bytesRead;
    }
    return out;
  }

  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  async readUpTo(offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    return this.read(offset, n, 'header');
  }

  /** Closes the file once every loan has settled; later calls wait for the same close. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.lent > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      await this.handle.close();
    })();
    return this.closed;
  }
}
