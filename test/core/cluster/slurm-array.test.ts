/**
 * The cluster path end to end on a real one-node Slurm: `histo cluster sbatch --submit` runs a
 * 3-shard array over a real Aperio slide, generated TIFF pyramids and a patch folder; `histo
 * cluster merge` then gives exactly the project of a single-machine `histo embed` (slides, tiles,
 * bitwise-identical vectors). A killed array task is named by merge and rerun alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { histoBin, repoRoot, runHisto } from '../../helpers/run-cli';
import { linearEmbedder } from '../../helpers/onnx-models';
import { writePatchDataset, writeTestSlide } from '../../helpers/embedding-fixtures';
import { projectSnapshot, type ProjectSnapshot } from '../../helpers/project-snapshot';
import { slurmUnavailable, startSlurmCluster, type SlurmCluster } from '../../helpers/slurm-cluster';
import { useTempDir } from '../../helpers/temp-dir';

const unavailable = slurmUnavailable();
if (unavailable) {
  const required = process.env.HISTO_REQUIRE_SLURM === '1';
  console.warn(`${required ? 'FAILING' : 'SKIPPING'} the Slurm integration tests: ${unavailable}`);
  if (required) describe('Slurm integration', () => it('needs Slurm (HISTO_REQUIRE_SLURM=1)', () => expect.fail(unavailable)));
}

const tempDir = useTempDir();
const embedFlags = ['--mpp', '1', '--size', '32', '--min-tissue', '0.5'];

describe.skipIf(unavailable !== null)('histo cluster on a one-node Slurm', () => {
  let cluster: SlurmCluster;
  let work: string;
  let slideList: string;
  let model: string;
  let single: ProjectSnapshot;

  const histo = (args: string[]) => runHisto(args, cluster.env);
  const ok = (args: string[]) => {
    const r = histo(args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  /** Waits until every array task has left the queue (done, failed or cancelled). */
  async function waitForArray(jobId: string, seconds = 240): Promise<Array<{ task: number; state: string }>> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      const tasks = JSON.parse(ok(['cluster', 'status', jobId, '--json'])) as Array<{ task: number; state: string }>;
      if (tasks.length > 0 && tasks.every((t) => !['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING'].includes(t.state))) return tasks;
      if (Date.now() > until) throw new Error(`array ${jobId} still running after ${seconds} s: ${JSON.stringify(tasks)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    work = fs.mkdtempSync(path.join(path.dirname(cluster.dir), 'histo-slurm-'));
    const slides = path.join(work, 'slides');
    fs.mkdirSync(slides);
    fs.copyFileSync(path.join(repoRoot, 'test/fixtures/CMU-1-Small-Region.svs'), path.join(slides, 'CMU-1-Small-Region.svs'));
    await writeTestSlide(slides, 'pyramid-a.tif', { width: 512, height: 384 });
    await writeTestSlide(slides, 'pyramid-b.tif', { width: 640, height: 384 });
    const patches = await writePatchDataset(work, { tumor: [200, 60, 90], stroma: [230, 180, 200] }, 3);
    slideList = path.join(work, 'slides.txt');
    fs.writeFileSync(slideList, `# one input per line\n${slides}\n${patches}\n`);
    model = linearEmbedder({ inputSize: 16, dim: 8, seed: 11, dir: work });
    const project = path.join(work, 'single.histo');
    ok(['project', 'create', project]);
    ok(['embed', slides, patches, '--project', project, '--backbone', model, ...embedFlags]);
    single = projectSnapshot(project);
    expect(single.counts.slides).toBeGreaterThanOrEqual(8);
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('runs a 3-shard array and merges it into exactly the single-machine project', async () => {
    const out = path.join(tempDir(), 'shards');
    const submitted = JSON.parse(ok(['cluster', 'sbatch', '--slides', slideList, '--shards', '3', '--out-dir', out, '--backbone', model, '--cpus-per-task', '1', '--submit', '--json', '--', ...embedFlags])) as { jobId: string; script: string };
    expect(submitted.jobId).toMatch(/^\d+$/);
    expect(fs.readFileSync(submitted.script, 'utf8')).toContain('#SBATCH --array=1-3');
    const tasks = await waitForArray(submitted.jobId);
    expect(tasks.map((t) => [t.task, t.state])).toEqual([[1, 'COMPLETED'], [2, 'COMPLETED'], [3, 'COMPLETED']]);

    const study = path.join(out, '..', 'study.histo');
    const merged = JSON.parse(ok(['cluster', 'merge', out, '--into', study, '--json'])) as { notMerged: unknown[]; shards: Array<{ spec: string }> };
    expect(merged.notMerged).toEqual([]);
    expect(merged.shards.map((s) => s.spec)).toEqual(['1/3', '2/3', '3/3']);
    const got = projectSnapshot(study);
    expect(got.slides).toEqual(single.slides);
    expect(got.tiles).toEqual(single.tiles);
    expect(got.vectors).toEqual(single.vectors);
    expect(got.counts).toEqual(single.counts);
  }, 300_000);

  it('names a killed array task at merge, and reruns that shard alone', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'shards');
    // Task 2's first attempt hangs, so it is surely running when cancelled.
    const wrapper = path.join(dir, 'histo-wrapper.sh');
    fs.writeFileSync(
      wrapper,
      `#!/bin/bash\nif [ "$SLURM_ARRAY_TASK_ID" = 2 ] && [ ! -e ${dir}/hung ]; then touch ${dir}/hung; sleep 600; fi\nexec ${process.execPath} ${histoBin} "$@"\n`,
      { mode: 0o755 },
    );
    const first = JSON.parse(ok(['cluster', 'sbatch', '--slides', slideList, '--shards', '3', '--out-dir', out, '--backbone', model, '--histo', `/bin/bash ${wrapper}`, '--submit', '--json', '--', ...embedFlags])) as { jobId: string };
    const until = Date.now() + 120_000;
    while (!fs.existsSync(path.join(dir, 'hung'))) {
      if (Date.now() > until) throw new Error('task 2 never started');
      await new Promise((r) => setTimeout(r, 200));
    }
    const { spawnSync } = await import('node:child_process');
    expect(spawnSync('scancel', [`${first.jobId}_2`], { env: cluster.env }).status).toBe(0);
    const tasks = await waitForArray(first.jobId);
    expect(tasks.find((t) => t.task === 2)?.state).toBe('CANCELLED');

    const study = path.join(dir, 'study.histo');
    const partial = histo(['cluster', 'merge', out, '--into', study, '--json']);
    expect(partial.code, partial.stderr).toBe(3);
    expect(partial.stderr).toMatch(/shard 2 (missing|failed)/);
    expect((JSON.parse(partial.stdout) as { notMerged: Array<{ shard: number }> }).notMerged.map((s) => s.shard)).toEqual([2]);

    const again = JSON.parse(ok(['cluster', 'resubmit', out, '--json'])) as { jobId: string; shards: number[] };
    expect(again.shards).toEqual([2]);
    const rerun = await waitForArray(again.jobId);
    expect(rerun.map((t) => [t.task, t.state])).toEqual([[2, 'COMPLETED']]);
    ok(['cluster', 'merge', out, '--into', study]);
    const got = projectSnapshot(study);
    expect(got.vectors).toEqual(single.vectors);
    expect(got.tiles).toEqual(single.tiles);
    expect(got.counts).toEqual(single.counts);
  }, 300_000);
});
