import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * CLI, server and end-to-end tests run the built bundles, exactly what users run; build them once
 * per test run so a stale dist/ can never hide a change. HISTO_TEST_SKIP_BUILD=1 skips it when the
 * caller has just built (CI does, right before `npm test`).
 */
export default function setup(): void {
  if (process.env.HISTO_TEST_SKIP_BUILD === '1') return;
  const root = path.resolve(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
