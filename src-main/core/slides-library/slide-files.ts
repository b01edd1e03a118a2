import fs from 'node:fs/promises';
import path from 'node:path';
import { DICOM_EXTENSION, looksLikeSlideFile, SLIDE_EXTENSIONS } from '../../../src-shared/domain/file-kinds';

/** Bounds of a folder scan: deep trees and huge shares are cut off with a message, never walked forever. */
export const SCAN_LIMITS = { maxDepth: 8, maxFiles: 20_000 } as const;

export interface ScanResult {
  /** Slide files found, each once, in a stable order (per argument, then sorted by path). */
  files: string[];
  /** Arguments that could not be used, with the reason. */
  failed: Array<{ path: string; message: string }>;
}

/**
 * Expands the user's paths into slide files: a file is taken as it is, a folder is searched
 * (sub-folders up to SCAN_LIMITS.maxDepth deep, hidden entries and symlinked folders skipped).
 */
export async function collectSlideFiles(paths: readonly string[]): Promise<ScanResult> {
  const files: string[] = [];
  const seen = new Set<string>();
  const failed: ScanResult['failed'] = [];
  const add = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    files.push(file);
  };

  for (const given of paths) {
    const resolved = path.resolve(given.trim());
    let stat;
    try {
      stat = await fs.stat(resolved);
    } catch {
      failed.push({ path: resolved, message: `${resolved}: no such file or folder` });
      continue;
    }
    if (stat.isFile()) {
      add(resolved);
      continue;
    }
    if (!stat.isDirectory()) {
      failed.push({ path: resolved, message: `${resolved}: neither a file nor a folder` });
      continue;
    }
    const found: string[] = [];
    let truncated = false;
    const walk = async (dir: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        failed.push({ path: dir, message: `${dir}: cannot read folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
        return;
      }
      entries.sort((a, b) => a.name.localeCompare(b.name));
      // A folder of DICOM files is one slide (a WSI series, one file per level): openSlide reads the folder.
      if (entries.some((e) => e.isFile() && e.name.toLowerCase().endsWith(DICOM_EXTENSION))) {
        found.push(dir);
        return;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (depth < SCAN_LIMITS.maxDepth) await walk(full, depth + 1);
          else truncated = true;
        } else if ((entry.isFile() || entry.isSymbolicLink()) && looksLikeSlideFile(entry.name)) {
          if (found.length >= SCAN_LIMITS.maxFiles) {
            truncated = true;
            return;
          }
          found.push(full);
        }
      }
    };
    await walk(resolved, 0);
    if (truncated) {
      failed.push({
        path: resolved,
        message: `${resolved}: folder scan stopped at ${SCAN_LIMITS.maxFiles} files or ${SCAN_LIMITS.maxDepth} levels of sub-folders; import deeper folders separately`,
      });
    }
    if (found.length === 0 && !truncated) {
      failed.push({ path: resolved, message: `${resolved}: no slide files in this folder (looked for ${SLIDE_EXTENSIONS.join(' ')} and folders of ${DICOM_EXTENSION} files)` });
    }
    for (const file of found) add(file);
  }
  return { files, failed };
}
