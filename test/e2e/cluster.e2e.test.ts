import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePatchDataset, writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { projectSnapshot } from '../helpers/project-snapshot';
import { histoBin } from '../helpers/run-cli';
import { slurmUnavailable, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster';
import { cli, httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * "Run on a Slurm cluster" in Chromium against `histo serve` and a real one-node Slurm: the panel
 * submits a 2-shard array, shows its tasks finishing, and imports the shards; the project then
 * holds exactly the vectors of a single `histo embed` run.
 */
const unavailable = slurmUnavailable();
if (unavailable && process.env.HISTO_REQUIRE_SLURM === '1') {
  describe('Slurm in the browser', () => it('needs Slurm (HISTO_REQUIRE_SLURM=1)', () => expect.fail(unavailable)));
} else if (unavailable) {
  console.warn(`SKIPPING the Slurm browser test: ${unavailable}`);
}

describe.skipIf(unavailable !== null)('Slurm extraction in the browser against histo serve', () => {
  let workDir: string;
  let projectFile: string;
  let singleFile: string;
  let slideList: string;
  let cluster: SlurmCluster | undefined;
  let session: BrowserSession | undefined;
  const previousConf = process.env.SLURM_CONF;

  beforeAll(async () => {
    workDir = makeWorkDir('cluster');
    projectFile = path.join(workDir, 'study.histo');
    singleFile = path.join(workDir, 'single.histo');
    const slides = path.join(workDir, 'slides');
    fs.mkdirSync(slides);
    await writeTestSlide(slides, 'a.tif', { width: 256, height: 192 });
    await writeTestSlide(slides, 'b.tif', { width: 320, height: 192 });
    const patches = await writePatchDataset(workDir, { tumor: [200, 60, 90] }, 3);
    slideList = path.join(workDir, 'slides.txt');
    fs.writeFileSync(slideList, `${slides}\n${patches}\n`);
    const model = linearEmbedder({ inputSize: 32, dim: 8, seed: 4, dir: workDir, fileName: 'tiny.onnx' });
    for (const file of [projectFile, singleFile]) {
      cli(['project', 'create', file]);
      cli(['backbone', 'import', model, '--project', file, '--name', 'tiny']);
    }
    cli(['embed', slides, patches, '--project', singleFile, '--backbone', 'tiny', '--level', '0', '--min-tissue', '0']);
    cluster = await startSlurmCluster();
    // The server runs sbatch/scontrol against our test cluster, and treats the study's disk as
    // network storage (as a cluster share would be): one exclusive writer, said in the project bar.
    process.env.SLURM_CONF = cluster.env.SLURM_CONF;
    process.env.HISTO_ASSUME_NETWORK_FS = '1';
    try {
      session = await startBrowserSession(projectFile);
    } finally {
      delete process.env.HISTO_ASSUME_NETWORK_FS;
    }
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await cluster?.stop();
    if (previousConf === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = previousConf;
    removeWorkDir(workDir);
  });

  it('submits the array, shows the tasks finishing, and imports the shards', async () => {
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1440, height: 1400 }, { badResponse: httpErrorsExcept() });
    await page.goto(session!.server.url);
    await expect.poll(() => page.getByTestId('project-storage').textContent(), { timeout: 20_000 }).toBe('network storage (assumed): exclusive lock');
    await page.getByTestId('nav-backbones').click();
    const panel = page.getByTestId('extract-panel');
    await expect.poll(() => panel.getByLabel('Backbone').locator('option').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    await panel.getByLabel('Backbone').selectOption({ label: 'tiny (8-d, 32 px)' });
    await panel.getByRole('radio', { name: 'At pyramid level' }).check();
    await panel.getByLabel('Tiling pyramid level').fill('0');
    await panel.getByLabel('Min tissue').fill('0');

    const slurm = panel.getByTestId('extract-slurm');
    await slurm.getByText('Run on a Slurm cluster').click();
    await slurm.getByTestId('slurm-slides').fill(slideList);
    await slurm.getByTestId('slurm-out-dir').fill(path.join(workDir, 'shards'));
    await slurm.getByTestId('slurm-shards').fill('2');
    // The test node has no GPU, 2 CPUs and Slurm's default 1 MB of memory: ask for nothing more.
    await slurm.getByTestId('slurm-gpus').fill('0');
    await slurm.getByLabel('CPUs / task').fill('1');
    await slurm.getByLabel('Memory').fill('');
    await slurm.getByTestId('slurm-provider').selectOption('cpu');
    await slurm.getByTestId('slurm-histo').fill(`${process.execPath} ${histoBin}`);
    await slurm.getByTestId('slurm-submit').click();
    await expect.poll(() => slurm.getByTestId('slurm-job-id').textContent(), { timeout: 20_000 }).toMatch(/^\d+$/);

    const status = slurm.getByTestId('slurm-status');
    await expect
      .poll(
        async () => {
          await slurm.getByTestId('slurm-refresh').click();
          return status.locator('tbody tr').allTextContents();
        },
        { timeout: 120_000, interval: 1000 },
      )
      .toEqual(['1/2COMPLETEDdone', '2/2COMPLETEDdone']);
    await slurm.getByTestId('slurm-import').click();
    await expect.poll(() => slurm.getByTestId('slurm-imported').textContent(), { timeout: 60_000 }).toMatch(/Imported 2 shards/);
    await expect.poll(() => page.getByRole('banner', { name: 'Project' }).textContent()).toContain('5 slides');
    await page.screenshot({ path: path.join(resultsDir, 'cluster.png') });

    expect(problems).toEqual([]);
    await context.close();
    // The server holds the study's exclusive lock until it ends.
    await session!.close();
    session = undefined;
    const got = projectSnapshot(projectFile);
    const want = projectSnapshot(singleFile);
    expect(got.vectors).toEqual(want.vectors);
    expect(got.tiles).toEqual(want.tiles);
  }, 300_000);
});
