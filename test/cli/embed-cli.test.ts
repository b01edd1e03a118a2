import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { histoBin, repoRoot, runHisto } from '../helpers/run-cli';
import { linearEmbedder, nanModel, wrongRankModel } from '../helpers/onnx-models';
import { writeTestSlide } from '../helpers/embedding-fixtures';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

function json<T = Record<string, unknown>>(result: { code: number | null; stdout: string; stderr: string }): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

function prepare() {
  const dir = tempDir();
  const project = path.join(dir, 'p.histo');
  const created = runHisto(['project', 'create', project]);
  expect(created.code, created.stderr).toBe(0);
  const model = linearEmbedder({ inputSize: 32, dim: 16, seed: 3, dir });
  return { dir, project, model };
}

const userBackbones = (project: string) => {
  const db = new Database(project, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM backbones WHERE builtin = 0').get() as { n: number };
  } finally {
    db.close();
  }
};

describe('histo backbone', () => {
  it('imports a model and lists it beside the bundled classical baseline', () => {
    const { project, model } = prepare();
    const imported = json(runHisto(['backbone', 'import', model, '--project', project, '--name', 'lin', '--mean', '0.5,0.5,0.5', '--std', '0.25,0.25,0.25', '--json']));
    expect(imported).toMatchObject({ name: 'lin', dim: 16, inputSize: 32, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), id: expect.any(Number) });
    const list = json<Array<Record<string, unknown>>>(runHisto(['backbone', 'list', '--project', project, '--json']));
    expect(list.find((b) => b.name === 'lin')).toMatchObject({ dim: 16, inputSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], builtin: false });
    expect(list.find((b) => b.builtin === true)).toMatchObject({ name: 'histo-classic-v2', dim: 222, inputSize: 224 });
    const bench = json(runHisto(['backbone', 'bench', 'lin', '--project', project, '--batch', '4', '--json']));
    expect(bench).toMatchObject({ provider: 'cpu', batch: 4 });
    expect(bench.tilesPerSecond as number).toBeGreaterThan(0);
  });

  it.each([
    ['a file that is not ONNX', (dir: string) => (fs.writeFileSync(path.join(dir, 'fake.onnx'), 'this is text, not a model'), path.join(dir, 'fake.onnx')), /fake\.onnx: not an ONNX model/],
    ['a model whose output is not [N, D]', (dir: string) => wrongRankModel({ dir }), /wrong-rank\.onnx: .*expected \[batch, dim\]/],
    ['a model producing NaN', (dir: string) => nanModel({ dir }), /nan\.onnx: .*NaN/],
  ])('refuses %s with a clear message and writes nothing', (_label, make, message) => {
    const { dir, project } = prepare();
    const model = make(dir);
    const result = runHisto(['backbone', 'import', model, '--project', project]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(userBackbones(project)).toEqual({ n: 0 });
  });
});

describe('histo embed', () => {
  it('prints the summary shape and exports CSV and .npy', async () => {
    const { dir, project, model } = prepare();
    const slide = await writeTestSlide(dir);
    json(runHisto(['backbone', 'import', model, '--project', project, '--name', 'lin', '--json']));
    const summary = json(runHisto(['embed', slide, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0', '--batch', '16', '--json']));
    expect(summary).toMatchObject({ slides: 1, tiles: 192, views: 1, provider: 'cpu', seconds: expect.any(Number), tilesPerSecond: expect.any(Number) });

    const csv = path.join(dir, 'e.csv');
    json(runHisto(['embeddings', 'export', '--project', project, '--backbone', 'lin', '--out', csv, '--json']));
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`source,x,y,view,${Array.from({ length: 16 }, (_, i) => `e${i}`).join(',')}`);
    expect(lines).toHaveLength(193);
    expect(lines[1]!.split(',')).toHaveLength(20);
    expect(lines[1]!.startsWith(`${slide},0,0,0,`)).toBe(true);

    const npy = path.join(dir, 'e.npy');
    expect(json(runHisto(['embeddings', 'export', '--project', project, '--backbone', 'lin', '--out', npy, '--json']))).toMatchObject({ rows: 192, dim: 16 });
    const bytes = fs.readFileSync(npy);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    const headerLength = bytes.readUInt16LE(8);
    expect(bytes.subarray(10, 10 + headerLength).toString('latin1')).toContain("'shape': (192, 16)");
    expect(bytes.length).toBe(10 + headerLength + 192 * 16 * 4);
    const firstFromNpy = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + 10 + headerLength + 64));
    const firstFromCsv = lines[1]!.split(',').slice(4).map(Number);
    firstFromCsv.forEach((v, i) => expect(firstFromNpy[i]).toBeCloseTo(v, 5));
    const keys = fs.readFileSync(path.join(dir, 'e.keys.csv'), 'utf8').trim().split('\n');
    expect(keys[0]).toBe('source,x,y,view');
    expect(keys).toHaveLength(193);
  });

  it('survives SIGKILL at any moment: the rerun ends with exactly one row per tile', async () => {
    const { dir, project, model } = prepare();
    const slide = await writeTestSlide(dir, 'big.tif', { width: 1536, height: 1024 });
    json(runHisto(['backbone', 'import', model, '--project', project, '--name', 'lin', '--json']));
    const tiles = (1536 / 32) * (1024 / 32);
    const args = [histoBin, 'embed', slide, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0', '--batch', '4', '--views', 'd4'];
    const rows = () => {
      const db = new Database(project, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM embeddings').get() as { n: number }).n;
      } catch {
        return 0;
      } finally {
        db.close();
      }
    };
    for (const killAfterRows of [1, 400, 2000]) {
      const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'ignore' });
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (rows() >= killAfterRows || child.exitCode !== null) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolve();
          }
        }, 5);
      });
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
    const killedAt = rows();
    expect(killedAt).toBeLessThan(tiles * 8);
    const finish = json(runHisto(args.slice(1).concat('--json')));
    expect(finish.embedded).toBe(tiles * 8 - killedAt);
    const db = new Database(project, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) AS n FROM embeddings').get()).toEqual({ n: tiles * 8 });
      expect(db.prepare('SELECT count(*) AS n FROM (SELECT DISTINCT tile_id, view FROM embeddings)').get()).toEqual({ n: tiles * 8 });
      expect(db.prepare('SELECT count(*) AS n FROM tiles').get()).toEqual({ n: tiles });
    } finally {
      db.close();
    }
  });

  it('refuses to tile by mpp a slide without one, naming the fix; --mpp-override works', async () => {
    const { dir, project, model } = prepare();
    const { writePyramid } = await import('../fixtures/slide-fixtures');
    const slide = await writePyramid(path.join(dir, 'nompp.tif'), { width: 256, height: 256, tile: 128, compression: 'lzw', downsamples: [1] });
    json(runHisto(['backbone', 'import', model, '--project', project, '--name', 'lin', '--json']));
    const refused = runHisto(['embed', slide, '--project', project, '--backbone', 'lin', '--mpp', '0.5', '--min-tissue', '0', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nompp\.tif: the slide's resolution .* unknown.*--mpp-override/);
    const fixed = json(runHisto(['embed', slide, '--project', project, '--backbone', 'lin', '--mpp', '0.5', '--mpp-override', '0.25', '--size', '32', '--min-tissue', '0', '--json']));
    expect(fixed).toMatchObject({ slides: 1, tiles: 16 });
  });
});
