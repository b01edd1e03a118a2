/**
 * Kill safety of `histo project merge`: SIGKILLed at 5 seeded random points (by slides already
 * merged), then rerun to completion, the study has exactly the rows of a single-machine run,
 * bitwise-identical vectors, and passes PRAGMA integrity_check after every kill.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src-main/core/backbones/seeded-random';
import { writePatchDataset, writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { projectSnapshot } from '../helpers/project-snapshot';
import { histoBin, repoRoot, runHisto } from '../helpers/run-cli';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

function ok(args: string[]): string {
  const r = runHisto(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

function readStudy<T>(file: string, read: (db: Database.Database) => T): T | null {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 50 });
    try {
      return read(db);
    } finally {
      db.close();
    }
  } catch {
    return null; // not created yet, or mid-write: poll again
  }
}

describe('histo project merge under SIGKILL', () => {
  it('killed at 5 random points and rerun, ends with exact counts and integrity ok', async () => {
    const dir = tempDir();
    const slide = await writeTestSlide(dir, 'slide.tif', { width: 256, height: 192 });
    const patches = await writePatchDataset(dir, { a: [200, 40, 80], b: [60, 200, 90], c: [90, 80, 210], d: [240, 200, 40] }, 21);
    const model = linearEmbedder({ inputSize: 16, dim: 4, seed: 9, dir });
    const embed = (project: string, extra: string[]) => ['embed', slide, patches, '--project', project, '--backbone', model, '--level', '0', '--min-tissue', '0', '--size', '32', ...extra];
    const single = path.join(dir, 'single.histo');
    ok(['project', 'create', single]);
    ok(embed(single, []));
    const shards = [1, 2, 3].map((k) => path.join(dir, `shard-${k}.histo`));
    shards.forEach((shard, i) => ok(embed(shard, ['--shard', `${i + 1}/3`])));
    const want = projectSnapshot(single);
    expect(want.counts.slides).toBeGreaterThan(40);

    const study = path.join(dir, 'study.histo');
    const random = seededRandom(16);
    const mergedSlides = () => readStudy(study, (db) => (db.prepare('SELECT count(*) AS n FROM slides').get() as { n: number }).n) ?? 0;
    let killedMidway = 0;
    for (let kill = 0; kill < 5; kill++) {
      const before = mergedSlides();
      const killAt = before + 1 + Math.floor(random() * Math.max(1, (want.counts.slides - before) / 6));
      const child = spawn(process.execPath, [histoBin, 'project', 'merge', ...shards, '--into', study], { cwd: repoRoot, stdio: 'ignore' });
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (mergedSlides() >= killAt || child.exitCode !== null) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolve();
          }
        }, 2);
      });
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      if (mergedSlides() < want.counts.slides) killedMidway++;
      expect(readStudy(study, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
    }
    // Kills are by polling, so a fast merge may finish first; most must land midway.
    expect(killedMidway).toBeGreaterThanOrEqual(3);
    ok(['project', 'merge', ...shards, '--into', study]);
    const got = projectSnapshot(study);
    expect(got.counts).toEqual(want.counts);
    expect(got.slides).toEqual(want.slides);
    expect(got.tiles).toEqual(want.tiles);
    expect(got.vectors).toEqual(want.vectors);
    expect(readStudy(study, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
  });
});
