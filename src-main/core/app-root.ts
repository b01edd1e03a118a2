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
  const here = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  // A script bundled into a temp folder (benchmarks) finds the app from the working folder instead.
  for (const start of [here, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const isApp = fs.existsSync(path.join(dir, 'package.json')) && (fs.existsSync(path.join(dir, 'src-shared')) || fs.existsSync(path.join(dir, 'dist')));
      if (isApp) return (cached = dir);
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the application folder (package.json) above ${here} or ${process.cwd()}`);
}

/** A built worker script (see scripts/build.mjs: src-main/core/**\/NAME.worker.ts -> dist/workers/NAME.worker.cjs). */
export function workerScript(name: string): string {
  // scripts/run-ts.mjs bundles the workers beside a one-off script and points here.
  const override = process.env.HISTO_WORKERS_DIR;
  if (override) return path.join(override, `${name}.worker.cjs`);
  const file = path.join(appRoot(), 'dist', 'workers', `${name}.worker.cjs`);
  // In a packaged app the workers are unpacked beside the asar archive (electron-builder.yml):
  // worker threads load scripts from the real file system, not from inside the archive.
  return file.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
}

export function rendererDir(): string {
  return path.join(appRoot(), 'dist', 'renderer');
}

export function resourcesDir(): string {
  return path.join(appRoot(), 'resources');
}
