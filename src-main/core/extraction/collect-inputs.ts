import fs from 'node:fs';
import path from 'node:path';
import { HistoError } from '../errors';

/** A slide to tile, or a patch image that is one tile whose folder name is a candidate label. */
export type ExtractionInput = { kind: 'slide'; path: string } | { kind: 'image'; path: string; candidateLabel: string | null };

const slideExtensions = ['.svs', '.tif', '.tiff', '.btf', '.ome.tif', '.ome.tiff', '.ndpi', '.scn', '.bif', '.mrxs'];
const imageExtensions = ['.png', '.jpg', '.jpeg'];
const MAX_DEPTH = 8;
const MAX_FILES = 1_000_000;

function hasExtension(file: string, extensions: string[]): boolean {
  const lower = file.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext));
}

/**
 * Expands the paths a user gave (slide files, folders of slides, patch-dataset folders) into the
 * list to extract, sorted for a stable order. Files given by name are taken whatever their
 * extension (the reader decides by content); inside folders only known extensions are taken.
 */
export function collectInputs(paths: readonly string[]): ExtractionInput[] {
  const inputs: ExtractionInput[] = [];
  const seen = new Set<string>();
  const add = (input: ExtractionInput) => {
    if (seen.has(input.path)) return;
    seen.add(input.path);
    if (inputs.length >= MAX_FILES) throw new HistoError('BAD_INPUT', `more than ${MAX_FILES} files given; split the work`);
    inputs.push(input);
  };
  // An image's candidate label is the folder right under the one given: the class folder of
  // DIR/<class>/<image> and of DIR/<class>/<case>/<image> alike (never the case folder).
  const walk = (dir: string, depth: number, label: string) => {
    if (depth > MAX_DEPTH) return;
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1, depth === 0 ? entry.name : label);
      else if (entry.isFile() && hasExtension(entry.name, imageExtensions)) add({ kind: 'image', path: full, candidateLabel: label });
      else if (entry.isFile() && hasExtension(entry.name, slideExtensions)) add({ kind: 'slide', path: full });
    }
  };
  for (const given of paths) {
    const resolved = path.resolve(given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw new HistoError('NOT_FOUND', `${resolved}: no such file or folder`);
    }
    if (stat.isDirectory()) walk(resolved, 0, path.basename(resolved));
    else if (hasExtension(resolved, imageExtensions)) add({ kind: 'image', path: resolved, candidateLabel: null });
    else add({ kind: 'slide', path: resolved });
  }
  return inputs;
}
