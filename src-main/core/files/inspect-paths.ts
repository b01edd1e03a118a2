import fs from 'node:fs/promises';
import path from 'node:path';
import type { InspectedPath } from '../../../src-shared/domain/drop-routing';
import { DICOM_EXTENSION, looksLikeSlideFile } from '../../../src-shared/domain/file-kinds';

const PATCH_IMAGE = /\.(png|jpe?g)$/i;
/** How deep a dropped folder is searched for a first slide: enough for case/slide layouts, never a crawl. */
const SLIDE_SEARCH_DEPTH = 3;
const MAX_ENTRIES_READ = 5_000;

async function readDir(dir: string) {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).slice(0, MAX_ENTRIES_READ);
  } catch {
    return [];
  }
}

async function holdsSlides(dir: string, depth: number): Promise<boolean> {
  const entries = await readDir(dir);
  if (entries.some((e) => e.isFile() && (looksLikeSlideFile(e.name) || e.name.toLowerCase().endsWith(DICOM_EXTENSION)))) return true;
  if (depth >= SLIDE_SEARCH_DEPTH) return false;
  for (const entry of entries) {
    if (entry.isDirectory() && (await holdsSlides(path.join(dir, entry.name), depth + 1))) return true;
  }
  return false;
}

/** Whether a class folder holds patches: directly, or in a case folder one level down (the first that has any). */
async function holdsPatches(classDir: string): Promise<boolean> {
  const entries = await readDir(classDir);
  if (entries.some((e) => e.isFile() && PATCH_IMAGE.test(e.name))) return true;
  for (const entry of entries.filter((e) => e.isDirectory())) {
    if ((await readDir(path.join(classDir, entry.name))).some((e) => e.isFile() && PATCH_IMAGE.test(e.name))) return true;
  }
  return false;
}

/**
 * An ImageFolder dataset has no slides of its own at the top, and class sub-folders holding PNG or
 * JPEG patches, directly or in case folders (the layouts importPatchFolder reads).
 */
async function folderContent(dir: string): Promise<'patches' | 'slides' | 'none'> {
  const entries = await readDir(dir);
  const topHasSlides = entries.some((e) => e.isFile() && (looksLikeSlideFile(e.name) || e.name.toLowerCase().endsWith(DICOM_EXTENSION)));
  if (!topHasSlides) {
    for (const entry of entries.filter((e) => e.isDirectory())) {
      if (await holdsPatches(path.join(dir, entry.name))) return 'patches';
    }
  }
  return topHasSlides || (await holdsSlides(dir, 0)) ? 'slides' : 'none';
}

/** What each path is on disk, for routeDrop: file (with its folder's names), folder (with content), or neither. */
export async function inspectPaths(paths: readonly string[]): Promise<InspectedPath[]> {
  const inspected: InspectedPath[] = [];
  for (const given of paths) {
    const resolved = path.resolve(given);
    let stat;
    try {
      stat = await fs.stat(resolved);
    } catch {
      inspected.push({ path: resolved, entry: 'missing' });
      continue;
    }
    if (stat.isFile()) {
      const siblings = (await readDir(path.dirname(resolved))).map((e) => e.name);
      inspected.push({ path: resolved, entry: 'file', siblings });
    } else if (stat.isDirectory()) {
      inspected.push({ path: resolved, entry: 'folder', content: await folderContent(resolved) });
    } else {
      inspected.push({ path: resolved, entry: 'special' });
    }
  }
  return inspected;
}
