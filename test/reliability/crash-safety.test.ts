/**
 * Crash safety: `histo embed` and `histo train` SIGKILLed at seeded random moments (by elapsed
 * time or by rows written, so kills land while loading, tiling, inferring, writing and training).
 * After every kill the project passes PRAGMA integrity_check; after a final run to completion
 * there is exactly one embedding per (tile, backbone, view), none missing, and every head row is
 * whole (weights and metrics).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src-main/core/backbones/seeded-random';
import { writePatchDataset, writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { histoBin, repoRoot, runHisto } from '../helpers/run-cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function ok(args: string[]): Record<string, any> {
  const r = runHisto([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

function query<T>(project: string, sql: string): T | null {
  try {
    const db = new Database(project, { readonly: true, fileMustExist: true, timeout: 50 });
    try {
      return db.prepare(sql).get() as T;
    } finally {
      db.close();
    }
  } catch {
    return null; // locked or mid-write: poll again
  }
}

function integrity(project: string): string {
  const db = new Database(project, { fileMustExist: true, timeout: 5_000 });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** Starts the command and SIGKILLs it after `ms`, or once `rows()` reaches `atRows`; resolves how it ended. */
async function killRun(args: string[], when: { ms?: number; afterOutputMs?: number; atRows?: number; rows?: () => number }): Promise<{ killed: boolean; at: number }> {
  const child = spawn(process.execPath, [histoBin, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let started = Date.now();
  let output = false;
  // With afterOutputMs the clock starts at the first progress line: the kill lands in the work, not the start-up.
  child.stderr!.on('data', () => {
    if (!output && when.afterOutputMs !== undefined) {
      started = Date.now();
      when = { ...when, ms: when.afterOutputMs };
    }
    output = true;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let killed = false;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = when.ms !== undefined ? Date.now() - started >= when.ms : when.afterOutputMs !== undefined ? false : (when.rows?.() ?? 0) >= when.atRows!;
      if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(timer);
        resolve();
      } else if (due || Date.now() - started > 60_000) {
        clearInterval(timer);
        killed = child.kill('SIGKILL');
        resolve();
      }
    }, 4);
  });
  await exited;
  return { killed: killed && child.signalCode === 'SIGKILL', at: Date.now() - started };
}

describe('SIGKILL at random moments never corrupts a project', () => {
  it('embed: 14 kills, integrity ok after each, then exactly one row per (tile, backbone, view)', async () => {
    const project = path.join(dir, 'embed.histo');
    ok(['project', 'create', project]);
    ok(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 3, dir }), '--project', project, '--name', 'lin']);
    const slides = [await writeTestSlide(dir, 'a.tif', { width: 768, height: 512 }), await writeTestSlide(dir, 'b.tif', { width: 512, height: 512 })];
    const tiles = (768 / 32) * (512 / 32) + (512 / 32) * (512 / 32);
    const views = 8;
    const args = ['embed', ...slides, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0', '--batch', '8', '--views', 'd4'];
    const rows = () => query<{ n: number }>(project, 'SELECT count(*) AS n FROM embeddings')?.n ?? 0;
    const rand = seededRandom(2024);
    const outcomes: string[] = [];
    let kills = 0;
    for (let i = 0; kills < 14 && i < 24; i++) {
      // Half the kills by time (start-up, tiling, the first batches), half by rows written (mid-run).
      const when = i % 3 === 0 ? { ms: 30 + Math.floor(rand() * 1500) } : i % 3 === 1 ? { afterOutputMs: Math.floor(rand() * 600) } : { atRows: 1 + Math.floor(rand() * tiles * views * 0.9), rows };
      const before = rows();
      const r = await killRun(args, when);
      if (r.killed) kills++;
      expect(integrity(project), `after kill ${i}`).toBe('ok');
      outcomes.push(`${'ms' in when ? `${when.ms}ms` : 'afterOutputMs' in when ? `+${when.afterOutputMs}ms` : `${when.atRows}rows`}: ${before}->${rows()}${r.killed ? '' : ' (finished)'}`);
      if (rows() >= tiles * views) {
        // A run got to the end before its kill: start the extraction over so later kills land mid-run too.
        const db = new Database(project);
        db.prepare('DELETE FROM embeddings').run();
        db.close();
      }
    }
    const finish = ok(args);
    const db = new Database(project, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) AS n FROM tiles').get()).toEqual({ n: tiles });
      expect(db.prepare('SELECT count(*) AS n FROM embeddings').get()).toEqual({ n: tiles * views });
      expect(db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM embeddings GROUP BY tile_id, backbone_id, view HAVING count(*) > 1)').get()).toEqual({ n: 0 });
      // None missing: every tile has every view.
      expect(db.prepare('SELECT count(*) AS n FROM tiles t WHERE (SELECT count(*) FROM embeddings e WHERE e.tile_id = t.id) <> ?').get(views)).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM embedding_blocks WHERE length(vectors) <> count * 16 * 4 OR length(tile_ids) <> count * 4').get()).toEqual({ n: 0 });
      // Every index row points at a slot of a stored block, and every slot is indexed once.
      expect(db.prepare('SELECT count(*) AS n FROM embeddings e LEFT JOIN embedding_blocks b ON b.id = e.block_id WHERE b.id IS NULL OR e.slot >= b.count').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT coalesce(sum(count), 0) AS n FROM embedding_blocks').get()).toEqual({ n: tiles * views });
    } finally {
      db.close();
    }
    console.log(`crash safety (embed): ${kills} SIGKILLs survived; final run embedded ${finish.embedded}; ${outcomes.join(', ')}`);
    expect(kills).toBeGreaterThanOrEqual(10);
    (globalThis as any).__embedKills = kills;
  }, 240_000);

  it('train: 6 kills, integrity ok after each, no partial head row, then a whole head', async () => {
    const project = path.join(dir, 'train.histo');
    ok(['project', 'create', project]);
    ok(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 9, dir }), '--project', project, '--name', 'lin']);
    const patches = await writePatchDataset(dir, { adipose: [245, 235, 235], lymphocytes: [70, 50, 150], tumour: [190, 90, 160] }, 10);
    ok(['dataset', 'import-folder', patches, '--project', project, '--task', 'tissue', '--backbone', 'lin', '--views', 'd4']);
    const args = ['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'mlp', '--cv', '3', '--augment', 'views'];
    const heads = () => query<{ n: number }>(project, 'SELECT count(*) AS n FROM heads')?.n ?? 0;
    const rand = seededRandom(77);
    let kills = 0;
    const moments: number[] = [];
    for (let i = 0; kills < 6 && i < 12; i++) {
      const ms = Math.floor(rand() * 1500);
      const r = await killRun(args, i % 2 === 0 ? { ms: 50 + ms } : { afterOutputMs: ms });
      if (r.killed) kills++;
      moments.push(ms);
      expect(integrity(project), `after kill ${i}`).toBe('ok');
    }
    const partial = heads();
    const done = ok(args);
    const db = new Database(project, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT id, length(weights) AS w, metrics_json, params_json FROM heads').all() as Array<{ id: number; w: number; metrics_json: string; params_json: string }>;
      expect(rows.length).toBe(partial + 1);
      for (const row of rows) {
        expect(row.w, `head ${row.id} weights`).toBeGreaterThan(0);
        expect(JSON.parse(row.metrics_json), `head ${row.id} metrics`).toMatchObject({});
        expect(typeof JSON.parse(row.params_json)).toBe('object');
      }
      expect(rows.some((r) => r.id === done.headId)).toBe(true);
    } finally {
      db.close();
    }
    console.log(`crash safety (train): ${kills} SIGKILLs survived at ${moments.map((m, i) => (i % 2 === 0 ? `${50 + m}` : `+${m}`)).join(', ')} ms (${partial} heads finished before a kill landed)`);
    expect(kills).toBeGreaterThanOrEqual(4);
    console.log(`crash safety: ${((globalThis as any).__embedKills ?? 0) + kills} kills survived in all`);
  }, 240_000);
});
