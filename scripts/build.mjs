#!/usr/bin/env node
// Builds every bundle the app runs: the Electron main and preload scripts, the CLI, the core's
// worker scripts (esbuild), and the renderer (Vite). `--main-only` skips the renderer.
import { build } from 'esbuild';
import { nodeBundle } from './esbuild-node.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mainOnly = process.argv.includes('--main-only');

const common = { ...nodeBundle, sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root };

/** Worker scripts: any file named *.worker.ts under src-main/core becomes dist/workers/<name>.cjs. */
function workerEntries() {
  const found = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.worker.ts')) found[entry.name.replace(/\.ts$/, '')] = full;
    }
  };
  walk(path.join(root, 'src-main', 'core'));
  return found;
}

// Outputs are overwritten in place, never removed first: a test or CLI run in progress keeps a
// complete bundle to load.
await Promise.all([
  build({
    ...common,
    entryPoints: { 'electron-main': 'src-main/electron/main.ts' },
    outdir: 'dist/main',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
  // A sandboxed preload may require nothing but electron: bundle everything else into it.
  build({
    ...common,
    packages: undefined,
    entryPoints: { preload: 'src-main/electron/preload.ts' },
    outdir: 'dist/main',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: { histo: 'src-main/cli/main.ts' },
    outdir: 'dist/cli',
    outExtension: { '.js': '.cjs' },
  }),
  build({
    ...common,
    entryPoints: workerEntries(),
    outdir: 'dist/workers',
    outExtension: { '.js': '.cjs' },
  }),
]);

if (!mainOnly) {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    // vite.config.mts imports the CSP from src-shared (TypeScript); Vite's bundling loader handles it.
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
}
console.error(`built ${mainOnly ? 'main, preload, cli, workers' : 'main, preload, cli, workers, renderer'} into dist/`);
