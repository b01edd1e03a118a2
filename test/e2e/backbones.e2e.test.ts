import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { cli, httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * The Backbones area in Chromium against `histo serve`: the bundled baseline is listed, a file
 * that is not ONNX is refused inline with the core's message, a real (tiny) model is imported and
 * benchmarked, and a slide sent over from the Slides view is embedded by a job that reaches done
 * and updates the vector count.
 */
describe('Backbones in the browser against histo serve', () => {
  let workDir: string;
  let slidePath: string;
  let modelPath: string;
  let fakeModelPath: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('backbones');
    const projectFile = path.join(workDir, 'backbones.histo');
    cli(['project', 'create', projectFile]);
    slidePath = await writeTestSlide(workDir);
    modelPath = linearEmbedder({ inputSize: 32, dim: 16, seed: 1, dir: workDir, fileName: 'linear-32.onnx' });
    fakeModelPath = path.join(workDir, 'fake.onnx');
    fs.writeFileSync(fakeModelPath, 'this is a text file, not a model\n');

    session = await startBrowserSession(projectFile);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('lists the builtin, refuses a fake model, imports and benchmarks a real one, and extracts a slide', async () => {
    // The import refusals the test provokes answer with an error status; Chromium logs each as
    // "Failed to load resource", which the response rule covers with its URL.
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1440, height: 1180 }, {
      skipFailedLoads: true,
      badResponse: httpErrorsExcept(/\/api\/call\/backbone\.import$/),
    });

    await page.goto(session!.server.url);
    await page.getByTestId('nav-backbones').click();
    await page.waitForURL(/#\/backbones$/);

    // The bundled baseline, said plainly to be non-learned.
    const classic = page.getByTestId('backbone-histo-classic-v2');
    await expect.poll(() => classic.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await classic.getByTestId('backbone-dim').textContent()).toBe('222');
    expect(await classic.getByTestId('backbone-input').textContent()).toBe('224 px');
    expect(await classic.getByTestId('backbone-builtin').textContent()).toBe('Built-in');
    expect(await page.getByTestId('builtin-note').textContent()).toContain('histo-classic-v2, bundled with the app, is a classical, non-learned baseline');
    expect(await page.getByTestId('builtin-note').textContent()).toContain('tools/export-backbone.py');

    // A text file named .onnx: the core's refusal, inline.
    await page.getByLabel('Model file').fill(fakeModelPath);
    await page.getByRole('button', { name: 'Import this backbone' }).click();
    const importError = page.getByTestId('backbone-import-error');
    await expect.poll(() => importError.textContent(), { timeout: 20_000 }).toContain(`${fakeModelPath}: not an ONNX model (`);
    expect(await importError.getAttribute('role')).toBe('alert');
    expect(await page.getByLabel('Model file').getAttribute('aria-invalid')).toBe('true');

    // Mean/std half filled: caught before the call.
    await page.getByLabel('Model file').fill(modelPath);
    await page.getByLabel('Mean of channel R').fill('0.5');
    await page.getByRole('button', { name: 'Import this backbone' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Give all three channels' }).isVisible()).toBe(true);
    await page.getByLabel('Mean of channel R').fill('');

    // The real model, with a name and provenance.
    await page.getByLabel('Name').fill('tiny-linear');
    await page.getByLabel('Source').fill('test fixture: linearEmbedder');
    await page.getByLabel('License').fill('MIT');
    await page.getByRole('button', { name: 'Import this backbone' }).click();
    await expect.poll(() => page.getByTestId('backbone-import-result').textContent(), { timeout: 20_000 }).toContain('Imported tiny-linear');
    const tiny = page.getByTestId('backbone-tiny-linear');
    expect(await tiny.getByTestId('backbone-dim').textContent()).toBe('16');
    expect(await tiny.getByTestId('backbone-input').textContent()).toBe('32 px');
    expect(await tiny.getByTestId('backbone-vectors').textContent()).toBe('0');
    expect(await page.getByTestId('backbone-count').textContent()).toBe('3 in project');

    // Benchmark: busy while it runs, then tiles/s on the CPU.
    await tiny.getByRole('button', { name: 'Benchmark tiny-linear' }).click();
    await expect.poll(() => tiny.getByRole('button', { name: 'Benchmark tiny-linear' }).textContent()).toContain('Measuring');
    const speed = tiny.getByTestId('backbone-speed');
    await expect.poll(() => speed.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await speed.textContent()).toMatch(/[\d,.]+ tiles\/s/);
    expect(await speed.textContent()).toContain('cpu');

    // The slide goes in through the Slides view, which sends it to the extraction panel.
    await page.getByTestId('nav-slides').click();
    await page.getByLabel('Import', { exact: true }).fill(slidePath);
    await page.getByRole('button', { name: 'Import slides from this path' }).click();
    await expect.poll(() => page.getByTestId('slide-count').textContent(), { timeout: 20_000 }).toBe('1 slide in project');
    await page.getByRole('button', { name: 'View slide.tif' }).click();
    await page.getByRole('button', { name: 'Extract embeddings of the selected slide' }).click();
    await page.waitForURL(/#\/backbones\?extract/);

    const panel = page.getByTestId('extract-panel');
    expect(await panel.getByRole('checkbox', { name: /slide\.tif/ }).isChecked()).toBe(true);
    expect(await panel.getByLabel('Backbone').inputValue()).not.toBe('');
    await panel.getByLabel('Backbone').selectOption({ label: 'tiny-linear (16-d, 32 px)' });
    await panel.getByRole('radio', { name: 'At pyramid level' }).check();
    await panel.getByLabel('Tiling pyramid level').fill('0');
    await panel.getByLabel('Min tissue').fill('0');
    await panel.getByLabel('Batch size').fill('8');
    await panel.getByRole('button', { name: 'Start extracting embeddings' }).click();

    // 512 x 384 px in 32-px tiles at level 0, every tile kept: 16 x 12 = 192 vectors.
    const status = panel.getByTestId('extract-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toContain('Done: 192 new vectors stored');
    await expect.poll(() => tiny.getByTestId('backbone-vectors').textContent(), { timeout: 10_000 }).toBe('192');
    expect(await classic.getByTestId('backbone-vectors').textContent()).toBe('0');
    const jobPanel = page.getByTestId('job-panel');
    expect(await jobPanel.textContent()).toContain('Extracting embeddings');
    expect(await jobPanel.textContent()).toContain('Done');

    await page.evaluate(`document.querySelector('.app-shell__content')?.scrollTo(0, 0)`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(resultsDir, 'backbones.png') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
