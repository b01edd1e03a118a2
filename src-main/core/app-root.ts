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

/**
 * Where a file that is loaded by path lies in a packaged app: electron-builder.yml unpacks it
 * beside the asar archive, because worker threads and native code (ONNX Runtime opening a model)
 * read the real file system, not the archive. Outside a packaged app the path is unchanged.
 */
export function unpackedPath(file: string): string {
  return file.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
}

/** A built worker script (see scripts/build.mjs: src-main/core/**\/NAME.worker.ts -> dist/workers/NAME.worker.cjs). */
export function workerScript(name: string): string {
  // scripts/run-ts.mjs bundles the workers beside a one-off script and points here.
  const override = process.env.HISTO_WORKERS_DIR;
  if (override) return path.join(override, `${name}.worker.cjs`);
  return unpackedPath(path.join(appRoot(), 'dist', 'workers', `${name}.worker.cjs`));
}

export function rendererDir(): string {
  return path.join(appRoot(), 'dist', 'renderer');
}

/** Bundled resources (the default backbone's model): unpacked, ONNX Runtime opens them by path. */
export function resourcesDir(): string {
  return unpackedPath(path.join(appRoot(), 'resources'));
}
