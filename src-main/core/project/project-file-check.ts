import fs from 'node:fs';
import Database from 'better-sqlite3';
import { HistoError } from '../errors';
import { appName } from '../app-version';
import { latestSchemaVersion } from './migrations';

/** PRAGMA application_id of every project file: "HIST" in ASCII, so foreign SQLite files are recognised. */
export const PROJECT_APPLICATION_ID = 0x48495354;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Decides, without writing a byte, whether an existing file is a project this version can open.
 * Opening read-only first matters: switching a foreign database to WAL would already modify it.
 */
export function assertOpenableProject(file: string, newestKnown: number = latestSchemaVersion): void {
  let header: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      header = Buffer.alloc(16);
      const read = fs.readSync(fd, header, 0, 16, 0);
      header = header.subarray(0, read);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HistoError('NOT_FOUND', `${file}: no such project file`);
    if (code === 'EISDIR') throw new HistoError('PROJECT_REFUSED', `${file}: is a directory, not a project file`);
    throw new HistoError('PROJECT_REFUSED', `${file}: cannot be read (${code ?? String(err)})`);
  }
  if (header.length < 16 || !header.equals(SQLITE_MAGIC)) {
    throw new HistoError('PROJECT_REFUSED', `${file}: not a ${appName} project (not an SQLite database)`);
  }

  let applicationId: number;
  let userVersion: number;
  let readonly: Database.Database | undefined;
  try {
    readonly = new Database(file, { readonly: true, fileMustExist: true });
    applicationId = readonly.pragma('application_id', { simple: true }) as number;
    userVersion = readonly.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    throw new HistoError('PROJECT_REFUSED', `${file}: not a readable SQLite database (${(err as Error).message})`);
  } finally {
    readonly?.close();
  }
  if (applicationId !== PROJECT_APPLICATION_ID) {
    throw new HistoError('PROJECT_REFUSED', `${file}: an SQLite database, but not a ${appName} project`);
  }
  if (userVersion > newestKnown) {
    throw new HistoError(
      'PROJECT_REFUSED',
      `${file}: made by a newer version of ${appName} (schema ${userVersion}; this version reads up to ${newestKnown}); left untouched`,
    );
  }
}
