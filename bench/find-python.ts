import { spawnSync } from 'node:child_process';

/** A python3 with scikit-learn and numpy (HISTO_BENCH_PYTHON, python3, /usr/bin/python3), or null. */
export function findPython(): string | null {
  for (const candidate of [process.env.HISTO_BENCH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return null;
}
