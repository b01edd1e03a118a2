import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runHisto } from '../helpers/run-cli';
import { linearEmbedder } from '../helpers/onnx-models';
import { writePatchDataset, writeTestSlide, writeTwoRegionSlide } from '../helpers/embedding-fixtures';
import { projectSnapshot } from '../helpers/project-snapshot';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

function ok(result: { code: number | null; stdout: string; stderr: string }): string {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function inputsIn(dir: string): Promise<string[]> {
  const slides = path.join(dir, 'slides');
  fs.mkdirSync(slides);
  for (const [i, width] of [256, 320, 384, 448].entries()) await writeTestSlide(slides, `s${i}.tif`, { width, height: 192 });
  const patches = await writePatchDataset(dir, { tumor: [200, 60, 90], stroma: [230, 180, 200] }, 4);
  return [slides, patches];
}

const embedArgs = (inputs: string[], project: string, model: string, extra: string[] = []) => ['embed', ...inputs, '--project', project, '--backbone', model, '--level', '0', '--min-tissue', '0', '--size', '64', ...extra];

function shardMeta(file: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true });
  try {
    return JSON.parse((db.prepare("SELECT value FROM project_meta WHERE key = 'shard'").get() as { value: string }).value) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

describe('histo embed --shard and histo project merge', () => {
  it('splits by fingerprint whatever the input order, and the merged shards equal a single run; a second merge adds nothing', async () => {
    const dir = tempDir();
    const inputs = await inputsIn(dir);
    const model = linearEmbedder({ inputSize: 32, dim: 8, seed: 5, dir });
    const single = path.join(dir, 'single.histo');
    ok(runHisto(['project', 'create', single]));
    ok(runHisto(embedArgs(inputs, single, model)));

    const shards = [1, 2, 3].map((k) => path.join(dir, `shard-${k}.histo`));
    for (const [i, shard] of shards.entries()) {
      // Shard 2 gets its inputs in the other order: the split must not depend on it.
      const ordered = i === 1 ? [...inputs].reverse() : inputs;
      ok(runHisto(embedArgs(ordered, shard, model, ['--shard', `${i + 1}/3`])));
    }
    const metas = shards.map(shardMeta);
    expect(metas.map((m) => m.spec)).toEqual(['1/3', '2/3', '3/3']);
    expect(metas[0]).toMatchObject({ command: 'embed', appVersion: expect.any(String), tilingKey: 'size=64;level=0;overlap=0;minTissue=0', backbone: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const fingerprints = metas.flatMap((m) => (m.inputs as Array<{ fingerprint: string }>).map((x) => x.fingerprint));
    const want = projectSnapshot(single);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect([...new Set(fingerprints)].sort()).toEqual(want.slides);
    expect(metas.every((m) => (m.inputs as unknown[]).length > 0)).toBe(true);

    const study = path.join(dir, 'study.histo');
    const merged = JSON.parse(ok(runHisto(['project', 'merge', ...shards, '--into', study, '--json']))) as { added: Record<string, number> };
    expect(merged.added).toMatchObject({ slides: want.counts.slides, tiles: want.counts.tiles, embeddings: want.counts.embeddings });
    const got = projectSnapshot(study);
    expect(got.slides).toEqual(want.slides);
    expect(got.tiles).toEqual(want.tiles);
    expect(got.vectors).toEqual(want.vectors);

    const again = JSON.parse(ok(runHisto(['project', 'merge', shards[1]!, shards[0]!, '--into', study, '--json']))) as { added: Record<string, number> };
    expect(again.added).toEqual({ slides: 0, tilings: 0, tiles: 0, embeddings: 0, predictions: 0 });
    expect(projectSnapshot(study).counts).toEqual(got.counts);
  });

  it('refuses, in one line naming the shard, a shard made with another backbone file or another tiling', async () => {
    const dir = tempDir();
    const inputs = await inputsIn(dir);
    const model = linearEmbedder({ inputSize: 32, dim: 8, seed: 5, dir });
    const otherDir = path.join(dir, 'other');
    fs.mkdirSync(otherDir);
    const otherModel = linearEmbedder({ inputSize: 32, dim: 8, seed: 6, dir: otherDir });
    const good = path.join(dir, 'good.histo');
    const otherBackbone = path.join(dir, 'other-backbone.histo');
    const otherTiling = path.join(dir, 'other-tiling.histo');
    ok(runHisto(embedArgs(inputs, good, model, ['--shard', '1/2'])));
    ok(runHisto(embedArgs(inputs, otherBackbone, otherModel, ['--shard', '2/2'])));
    ok(runHisto(embedArgs(inputs, otherTiling, model, ['--shard', '2/2', '--size', '32'])));
    const study = path.join(dir, 'study.histo');
    ok(runHisto(['project', 'merge', good, '--into', study]));
    const before = projectSnapshot(study).counts;
    for (const [shard, reason] of [
      [otherBackbone, /backbone file sha256/],
      [otherTiling, /tiled with size=32.*size=64/],
    ] as const) {
      const refused = runHisto(['project', 'merge', shard, '--into', study]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain(shard);
      expect(refused.stderr).toMatch(reason);
    }
    expect(projectSnapshot(study).counts).toEqual(before);
  });

  it('refuses an ordinary project whose backbone has the study\'s name but another model file', async () => {
    const dir = tempDir();
    const [slides] = await inputsIn(dir);
    const projects = [1, 2].map((seed) => {
      const project = path.join(dir, `plain-${seed}.histo`);
      const modelDir = path.join(dir, `m${seed}`);
      fs.mkdirSync(modelDir);
      ok(runHisto(['project', 'create', project]));
      ok(runHisto(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 8, seed, dir: modelDir }), '--project', project, '--name', 'lin']));
      ok(runHisto(['embed', slides!, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0']));
      return project;
    });
    const study = path.join(dir, 'study.histo');
    ok(runHisto(['project', 'merge', projects[0]!, '--into', study]));
    const refused = runHisto(['project', 'merge', projects[1]!, '--into', study]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(new RegExp(`${projects[1]!.replace(/[.]/g, '\\.')}: backbone 'lin' is a different model file`));
  });

  it('refuses a malformed --shard and a shard file reused for another shard', async () => {
    const dir = tempDir();
    const inputs = await inputsIn(dir);
    const model = linearEmbedder({ inputSize: 32, dim: 8, seed: 5, dir });
    const bad = runHisto(embedArgs(inputs, path.join(dir, 'x.histo'), model, ['--shard', '4/3']));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--shard: expected K\/N/);
    const shard = path.join(dir, 'shard.histo');
    ok(runHisto(embedArgs(inputs, shard, model, ['--shard', '1/2'])));
    const reused = runHisto(embedArgs(inputs, shard, model, ['--shard', '2/2']));
    expect(reused.code).toBe(1);
    expect(reused.stderr).toMatch(/holds shard 1\/2, not 2\/2/);
  });

  it('merges predict shards (copies of the study with its head) into exactly the predictions of one run', async () => {
    const dir = tempDir();
    const study = path.join(dir, 'study.histo');
    const trainSlide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
    const others = await Promise.all([320, 384, 448, 512].map((width, i) => writeTestSlide(dir, `p${i}.tif`, { width, height: 192 })));
    ok(runHisto(['project', 'create', study]));
    ok(runHisto(['embed', trainSlide, '--project', study, '--backbone', linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), '--size', '32', '--mpp', '0.5', '--min-tissue', '0']));
    ok(runHisto(['task', 'create', 'tumour', '--classes', 'stroma,tumour', '--project', study]));
    const rows = ['source,x,y,label', ...[0, 64, 128].map((x) => `${trainSlide},${x},0,tumour`), ...[320, 384, 448].map((x) => `${trainSlide},${x},0,stroma`)];
    fs.writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n'));
    ok(runHisto(['labels', 'import', path.join(dir, 'labels.csv'), '--project', study, '--task', 'tumour']));
    const head = JSON.parse(ok(runHisto(['train', '--project', study, '--task', 'tumour', '--backbone', '1', '--head', 'logreg', '--cv', '2', '--group', 'none', '--json']))) as { headId: number };
    const predictArgs = (project: string, extra: string[]) => ['predict', '--project', project, '--head', String(head.headId), ...others, ...extra];

    const single = path.join(dir, 'single.histo');
    const shards = [1, 2].map((k) => path.join(dir, `predict-${k}.histo`));
    for (const copy of [single, ...shards]) fs.copyFileSync(study, copy);
    ok(runHisto(predictArgs(single, [])));
    shards.forEach((shard, i) => ok(runHisto(predictArgs(shard, ['--shard', `${i + 1}/2`]))));
    expect(shards.map((f) => shardMeta(f).command)).toEqual(['predict', 'predict']);

    const merged = JSON.parse(ok(runHisto(['project', 'merge', ...shards, '--into', study, '--json']))) as { added: Record<string, number>; shards: Array<{ predictionsWithoutHead: number }> };
    expect(merged.shards.map((s) => s.predictionsWithoutHead)).toEqual([0, 0]);
    const want = projectSnapshot(single);
    const got = projectSnapshot(study);
    expect(got.counts).toEqual(want.counts);
    expect(got.vectors).toEqual(want.vectors);
    expect(predictionsOf(study)).toEqual(predictionsOf(single));
    expect(want.counts.predictions).toBe(78);
    expect(merged.added.predictions).toBe(want.counts.predictions);
  });
});

function predictionsOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT s.fingerprint || '|' || t.x || ',' || t.y || '|' || hex(p.probs) AS k FROM predictions p JOIN tiles t ON t.id = p.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id").all() as Array<{ k: string }>).map((r) => r.k).sort();
  } finally {
    db.close();
  }
}
