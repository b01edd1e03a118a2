import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { workerScript } from '../app-root';
import { HistoError } from '../errors';
import { isDiskFull } from './disk-full';

/** `NAME.histo` at schema N -> `NAME.histo.bak-vN`. */
export function backupPath(projectFile: string, schemaVersion: number): string {
  return `${projectFile}.bak-v${schemaVersion}`;
}

/**
 * Copies the project with SQLite's backup API to `NAME.histo.bak-vN` before a migration, and
 * removes older `.bak-v*` copies of it once the new one is complete: the last one is kept. The
 * copy runs in a child process because better-sqlite3's backup is asynchronous while opening a
 * project is not; it is rare (once per schema change) and its cost is the copy itself.
 */
export function backupBeforeMigration(projectFile: string, schemaVersion: number): string {
  const destination = backupPath(projectFile, schemaVersion);
  const partial = `${destination}.partial`;
  fs.rmSync(partial, { force: true });
  const result = spawnSync(process.execPath, [workerScript('project-backup'), projectFile, partial], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    fs.rmSync(partial, { force: true });
    const reason = (result.stderr || result.error?.message || `exit ${result.status}`).trim();
    const code = /SQLITE_FULL|disk is full|ENOSPC|EFBIG/i.test(reason) || isDiskFull(result.error) ? 'DISK_FULL' : 'PROJECT_REFUSED';
    throw new HistoError(code, `${projectFile}: not upgraded: the backup ${destination} could not be written (${reason}); the project is unchanged`);
  }
  fs.renameSync(partial, destination);
  const prefix = `${path.basename(projectFile)}.bak-v`;
  for (const name of fs.readdirSync(path.dirname(projectFile))) {
    const older = name.startsWith(prefix) && /^\d+(-wal|-shm)?$/.test(name.slice(prefix.length)) && name !== path.basename(destination);
    if (older) fs.rmSync(path.join(path.dirname(projectFile), name), { force: true });
  }
  return destination;
}
