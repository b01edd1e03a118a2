import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    productionDir: string;
  }
}

/** What a production install consists of: electron-builder packs these plus `dependencies`. */
export const productionFiles = ['dist', 'bin', 'resources', 'package.json', 'package-lock.json', '.npmrc'];

/**
 * Builds the bundles, copies them with the package files into a temporary folder and runs
 * `npm ci --omit=dev` there: the app exactly as users get it, with no devDependency in reach.
 * HISTO_PRODUCTION_DIR reuses a folder staged earlier (for iterating on these tests).
 */
export default function setup(project: TestProject): () => void {
  const root = path.resolve(__dirname, '..', '..');
  const reused = process.env.HISTO_PRODUCTION_DIR;
  if (reused) {
    project.provide('productionDir', reused);
    return () => undefined;
  }
  if (process.env.HISTO_TEST_SKIP_BUILD !== '1') execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-production-'));
  for (const name of productionFiles) fs.cpSync(path.join(root, name), path.join(dir, name), { recursive: true });
  console.error(`production install: npm ci --omit=dev in ${dir}`);
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    shell: process.platform === 'win32',
  });
  project.provide('productionDir', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
