import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FolderEntry, FolderListing } from '../../../src-shared/contract/files';
import { fileKindOf, type FileKind } from '../../../src-shared/domain/file-kinds';
import { HistoError } from '../errors';

/** One listing is bounded: a share with a million files must not freeze the browser or the core. */
export const MAX_LISTED_ENTRIES = 2_000;

export interface ListFolderOptions {
  /** Only these kinds of file are listed (folders always are); all supported kinds when absent. */
  kinds?: readonly FileKind[];
  /** Starting places offered beside the listing. */
  places: FolderListing['places'];
  /** Entries one listing returns at most (MAX_LISTED_ENTRIES unless a test asks for fewer). */
  maxEntries?: number;
}

/**
 * The browser mode's file browser: a folder's sub-folders and the files the app can open. Hidden
 * entries are skipped; anything that is not a regular file or folder once symlinks are resolved
 * (sockets, devices, FIFOs, dangling links) is never listed, so it can never be opened from here.
 */
export async function listFolder(dir: string, options: ListFolderOptions): Promise<FolderListing> {
  const resolved = path.resolve(dir);
  let dirents;
  try {
    const stat = await fs.stat(resolved);
    if (!stat.isDirectory()) throw new HistoError('BAD_INPUT', `${resolved}: not a folder`);
    dirents = await fs.readdir(resolved, { withFileTypes: true });
  } catch (err) {
    if (err instanceof HistoError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new HistoError('NOT_FOUND', `${resolved}: no such folder`);
    throw new HistoError('BAD_INPUT', `${resolved}: cannot read this folder (${code ?? (err as Error).message})`);
  }
  const names = dirents.map((d) => d.name);
  const entries: FolderEntry[] = [];
  let truncated = false;
  for (const dirent of dirents.sort((a, b) => a.name.localeCompare(b.name))) {
    if (dirent.name.startsWith('.')) continue;
    if (entries.length >= (options.maxEntries ?? MAX_LISTED_ENTRIES)) {
      truncated = true;
      break;
    }
    const full = path.join(resolved, dirent.name);
    const isLink = dirent.isSymbolicLink();
    if (!isLink && !dirent.isDirectory() && !dirent.isFile()) continue;
    const fileKind = dirent.isDirectory() ? null : fileKindOf(dirent.name, names);
    if (!dirent.isDirectory() && !isLink && (fileKind === null || (options.kinds && !options.kinds.includes(fileKind)))) continue;
    if (dirent.isDirectory()) {
      entries.push({ name: dirent.name, path: full, kind: 'folder', size: null });
      continue;
    }
    // Files for their size; links because what they point at decides whether they are listed at all.
    let stat;
    try {
      stat = await fs.stat(full);
    } catch {
      continue;
    }
    if (stat.isDirectory()) entries.push({ name: dirent.name, path: full, kind: 'folder', size: null });
    else if (stat.isFile() && fileKind !== null && (!options.kinds || options.kinds.includes(fileKind))) {
      entries.push({ name: dirent.name, path: full, kind: fileKind, size: stat.size });
    }
  }
  entries.sort((a, b) => Number(b.kind === 'folder') - Number(a.kind === 'folder') || a.name.localeCompare(b.name));
  const parent = path.dirname(resolved);
  return { dir: resolved, parent: parent === resolved ? null : parent, entries, truncated, places: options.places };
}

/** The places offered beside every listing: home, and the open project's folder. */
export function startingPlaces(projectPath: string | null): FolderListing['places'] {
  const places = [{ name: 'Home', path: os.homedir() }];
  if (projectPath) places.push({ name: 'Project folder', path: path.dirname(projectPath) });
  return places;
}
