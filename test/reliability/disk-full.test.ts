import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { trainedProject } from '../core/slides-library/predicted-project';
import { writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { histoBin, repoRoot, runHisto, type CliResult } from '../helpers/run-cli';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

/**
 * A full disk, made real with a file-size limit on the CLI process (prlimit --fsize: every write
 * past the limit fails with EFBIG; Node ignores SIGXFSZ, so the process sees the error instead of
 * dying). SQLite's WAL starts empty after a clean close, so the limit caps how much a run can write.
 */
function histoWithFileLimit(bytes: number, args: string[]): CliResult {
  const result = spawnSync('prlimit', [`--fsize=${bytes}`, process.execPath, histoBin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const ok = (args: string[]) => {
  const result = runHisto(args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

/** What a half-written project would show: integrity problems, orphans, vectors of the wrong length. */
function consistency(project: string, dim: number) {
  const db = new Database(project, { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      foreignKeyProblems: (db.pragma('foreign_key_check') as unknown[]).length,
      embeddings: (db.prepare('SELECT count(*) AS n FROM embeddings').get() as { n: number }).n,
      badVectors: (db.prepare('SELECT count(*) AS n FROM embedding_blocks WHERE length(vectors) NOT IN (count * ?, count * ?)').get(dim * 2, dim * 4) as { n: number }).n,
      unindexedSlots: (db.prepare('SELECT (SELECT coalesce(sum(count), 0) FROM embedding_blocks) - (SELECT count(*) FROM embeddings) AS n').get() as { n: number }).n,
      predictions: (db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

function storedCounts(project: string): { slides: number; tiles: number } {
  const db = new Database(project, { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { slides: count('slides'), tiles: count('tiles') };
  } finally {
    db.close();
  }
}

describe('a full disk', () => {
  it('stops extraction with "disk full: N tiles stored", keeps those N whole, and a rerun completes the rest', async () => {
    const dir = tempDir();
    const project = path.join(dir, 'p.histo');
    ok(['project', 'create', project]);
    ok(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 64, seed: 3, dir }), '--project', project, '--name', 'lin']);
    const slide = await writeTestSlide(dir, 'slide.tif', { width: 1024, height: 768 });
    const embed = ['embed', slide, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0', '--batch', '16', '--json'];

    // The limit sits above the project's own size (its schema grows with migrations), so the run
    // stores some batches before the writes fail.
    const full = histoWithFileLimit(fs.statSync(project).size + 96 * 1024, embed);
    expect(full.code).toBe(1);
    const match = /disk full: (\d+) tiles stored, run again after freeing space/.exec(full.stderr);
    expect(match, full.stderr).not.toBeNull();
    const stored = Number(match![1]);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(768);

    const after = consistency(project, 64);
    expect(after).toMatchObject({ integrity: 'ok', foreignKeyProblems: 0, embeddings: stored, badVectors: 0, unindexedSlots: 0 });

    const resumed = JSON.parse(ok(embed)) as { embedded: number; tiles: number };
    expect(resumed).toMatchObject({ tiles: 768, embedded: 768 - stored });
    expect(consistency(project, 64)).toMatchObject({ integrity: 'ok', foreignKeyProblems: 0, embeddings: 768, badVectors: 0, unindexedSlots: 0 });
  });

  it('stops a shard merge between slides, keeps the merged slides whole, and a rerun completes it', async () => {
    const dir = tempDir();
    const model = linearEmbedder({ inputSize: 32, dim: 64, seed: 3, dir });
    const slides = path.join(dir, 'slides');
    fs.mkdirSync(slides);
    // Three different slides (different sizes, so different fingerprints): 768, 816 and 864 tiles of 32 px.
    for (const [name, width] of [['a.tif', 1024], ['b.tif', 1088], ['c.tif', 1152]] as const) await writeTestSlide(slides, name, { width, height: 768 });
    const shard = path.join(dir, 'shard-1.histo');
    ok(['embed', slides, '--project', shard, '--backbone', model, '--level', '0', '--min-tissue', '0', '--shard', '1/1']);
    const study = path.join(dir, 'study.histo');
    ok(['project', 'create', study]);
    const merge = ['project', 'merge', shard, '--into', study];

    // Room beyond the study's own size for half of what the shard holds: one slide's transaction
    // fits, the second does not (the study's WAL grows by each slide merged).
    const full = histoWithFileLimit(fs.statSync(study).size + Math.floor(fs.statSync(shard).size / 2), merge);
    expect(full.code).toBe(1);
    const match = /disk full: (\d+) of 3 slides merged, run again after freeing space/.exec(full.stderr);
    expect(match, full.stderr).not.toBeNull();
    const merged = Number(match![1]);
    expect(merged).toBeLessThan(3);
    // Whole slides only: as many slides as reported, each with every tile and every vector.
    expect(consistency(study, 64)).toMatchObject({ integrity: 'ok', foreignKeyProblems: 0, embeddings: storedCounts(study).tiles, badVectors: 0, unindexedSlots: 0 });
    expect(storedCounts(study).slides).toBe(merged);

    ok(merge);
    expect(consistency(study, 64)).toMatchObject({ integrity: 'ok', foreignKeyProblems: 0, embeddings: 768 + 816 + 864, badVectors: 0, unindexedSlots: 0 });
    expect(storedCounts(study)).toEqual({ slides: 3, tiles: 768 + 816 + 864 });
  });

  it('stops prediction and export cleanly (no half-written rows, no truncated file); reruns complete them', async () => {
    const dir = tempDir();
    const trained = await trainedProject(dir);
    // A bigger slide, embedded beforehand with the head's tiling: the predictions alone overflow the limit.
    const big = await writeTestSlide(dir, 'big.tif', { width: 4096, height: 2048 });
    ok(['embed', big, '--project', trained.project, '--backbone', 'lin', '--size', '32', '--mpp', '0.5', '--min-tissue', '0']);
    const predict = ['predict', '--project', trained.project, '--head', String(trained.headId), big, '--json'];
    const before = consistency(trained.project, 16);
    // 40 KB: room for SQLite's 32 KB shared-memory file, not for the run's writes.
    const limit = 40 * 1024;

    const full = histoWithFileLimit(limit, predict);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/disk full: 0 tiles stored, run again after freeing space/);
    expect(consistency(trained.project, 16)).toEqual(before);
    const predicted = JSON.parse(ok(predict)) as { slides: Array<{ tiles: number }> };
    expect(consistency(trained.project, 16)).toMatchObject({ integrity: 'ok', foreignKeyProblems: 0, predictions: before.predictions + predicted.slides[0]!.tiles });

    const out = path.join(dir, 'embeddings.csv');
    const exportArgs = ['embeddings', 'export', '--project', trained.project, '--backbone', 'lin', '--out', out, '--json'];
    const refused = histoWithFileLimit(limit, exportArgs);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`disk full: ${out} was not written, run again after freeing space`);
    expect(fs.readdirSync(dir).filter((f) => f.includes('embeddings.csv'))).toEqual([]);
    const written = JSON.parse(ok(exportArgs)) as { rows: number };
    expect(written.rows).toBe(before.embeddings);
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(written.rows + 1);
  });
});
