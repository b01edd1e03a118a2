/**
 * Slide-reader fuzzing in CI: 10,000 seeded mutations of the generated fixtures and the real SVS
 * (bench/fuzz-slides.ts, worker processes so a native crash or a hang is caught), then a replay of
 * every saved regression fixture. FUZZ_CASES / FUZZ_SEED run more or other cases.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli';
import { checkSlideFile } from './fuzz/oracle';

const regressions = path.join(repoRoot, 'test', 'fixtures', 'fuzz-regressions');

describe('slide reader fuzzing', () => {
  it('survives 10,000 mutated slides: every case works or is a HistoError naming the file', () => {
    const cases = Number(process.env.FUZZ_CASES ?? 10_000);
    const seed = Number(process.env.FUZZ_SEED ?? 20240611);
    const started = Date.now();
    const result = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'bench/fuzz-slides.ts', '--cases', String(cases), '--seed', String(seed), '--workers', '2', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 240_000,
    });
    const seconds = (Date.now() - started) / 1000;
    const last = result.stdout.trim().split('\n').pop() ?? '';
    expect(last.startsWith('{'), `fuzzer output: ${result.stderr.slice(-3000)}`).toBe(true);
    const summary = JSON.parse(last) as { cases: number; seconds: number; rejected: number; worked: number; findings: Array<{ signature: string; message: string }> };
    console.log(`fuzz: ${summary.cases} cases run in ${summary.seconds} s (${seconds.toFixed(1)} s with fixture generation): ${summary.worked} read fine, ${summary.rejected} rejected, ${summary.findings.length} findings`);
    expect(summary.findings, result.stderr.slice(-4000)).toEqual([]);
    expect(summary.cases).toBe(cases);
    expect(result.status).toBe(0);
  }, 300_000);

  const files = fs.existsSync(regressions) ? fs.readdirSync(regressions).filter((f) => f !== 'findings.json' && f !== 'README.md').sort() : [];
  it.runIf(files.length > 0)(`replays the ${files.length} saved fuzz findings: each works or is a clear HistoError, fast`, async () => {
    for (const name of files) {
      const file = path.join(regressions, name);
      const started = performance.now();
      const outcome = await checkSlideFile(file, { deep: true });
      const ms = performance.now() - started;
      expect(outcome, name).toMatchObject({ ok: true });
      expect(ms, `${name} took ${ms.toFixed(0)} ms`).toBeLessThan(5_000);
    }
  }, 120_000);
});
