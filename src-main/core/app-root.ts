import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder holding package.json, found by walking up from this module: the same answer from
 * the bundles in dist/ and from the sources under vitest.
 */
export function appRoot(): string {
  if (cached) return cached;
  const start = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && fs.existsSync(path.join(dir, 'src-shared'))) return (cached = dir);
    if (fs.existsSync(candidate) && fs.existsSync(path.join(dir, 'dist'))) return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the application folder (package.json) above ' + start);
    dir = parent;
  }
}

/** A built worker script (see scripts/build.mjs: src-main/core/**\/NAME.worker.ts -> dist/workers/NAME.worker.cjs). */
export function workerScript(name: string): string {
  return path.join(appRoot(), 'dist', 'workers', `${name}.worker.cjs`);
}

export function rendererDir(): string {
  return path.join(appRoot(), 'dist', 'renderer');
}

export function resourcesDir(): string {
  return path.join(appRoot(), 'resources');
}
