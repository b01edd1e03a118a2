import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { histoBin, repoRoot, runHisto, type CliResult } from '../helpers/run-cli';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

function histoAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [histoBin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Two processes (two windows, or the app and a CLI job) writing to one project at the same time:
 * SQLite's WAL, a busy timeout and one short transaction per batch let both finish, and the
 * project ends with every row exactly once.
 */
describe('two processes writing one project at once', () => {
  it('both embed runs finish, on different slides and on the same slide, and nothing is duplicated or lost', async () => {
    const dir = tempDir();
    const project = path.join(dir, 'shared.histo');
    expect(runHisto(['project', 'create', project]).code).toBe(0);
    expect(runHisto(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 2, dir }), '--project', project, '--name', 'lin']).code).toBe(0);
    const a = await writeTestSlide(dir, 'a.tif', { width: 1024, height: 768 });
    const b = await writeTestSlide(dir, 'b.tif', { width: 1024, height: 512 });
    const embed = (slide: string) => histoAsync(['embed', slide, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0', '--batch', '8', '--json']);

    const [first, second, third] = await Promise.all([embed(a), embed(b), embed(a)]);
    for (const run of [first, second, third]) expect(run.code, run.stderr).toBe(0);
    const embeddedA = (JSON.parse(first.stdout) as { embedded: number }).embedded + (JSON.parse(third.stdout) as { embedded: number }).embedded;
    // The two runs of slide a split its tiles between them: together exactly once each.
    expect(embeddedA).toBe(768);
    expect((JSON.parse(second.stdout) as { embedded: number }).embedded).toBe(512);

    const db = new Database(project, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.prepare('SELECT count(*) AS n FROM slides').get()).toEqual({ n: 2 });
      expect(db.prepare('SELECT count(*) AS n FROM tilings').get()).toEqual({ n: 2 });
      expect(db.prepare('SELECT count(*) AS n FROM tiles').get()).toEqual({ n: 768 + 512 });
      expect(db.prepare('SELECT count(*) AS n FROM embeddings').get()).toEqual({ n: 768 + 512 });
      expect(db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'embed'").get()).toEqual({ n: 3 });
    } finally {
      db.close();
    }
  });

  it('a writer waits for another process holding the write lock briefly, and names the project busy when it holds it too long', async () => {
    const dir = tempDir();
    const project = path.join(dir, 'busy.histo');
    expect(runHisto(['project', 'create', project]).code).toBe(0);
    const other = new Database(project);
    try {
      other.exec('BEGIN IMMEDIATE');
      const waiting = histoAsync(['task', 'create', 'short-wait', '--classes', 'a,b', '--project', project]);
      setTimeout(() => other.exec('COMMIT'), 1000);
      const waited = await waiting;
      expect(waited.code, waited.stderr).toBe(0);

      other.exec('BEGIN IMMEDIATE');
      const refused = await histoAsync(['task', 'create', 'long-wait', '--classes', 'a,b', '--project', project]);
      other.exec('ROLLBACK');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('the project is busy: another window or process is writing to it; try again when it has finished');
      expect(other.prepare('SELECT name FROM tasks ORDER BY name').all()).toEqual([{ name: 'short-wait' }]);
    } finally {
      other.close();
    }
  });
});
