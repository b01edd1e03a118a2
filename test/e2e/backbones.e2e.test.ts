import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { runHisto, serveHisto, type ServedHisto } from '../helpers/run-cli';

/**
 * The Backbones area in Chromium against `histo serve`: the bundled baseline is listed, a file
 * that is not ONNX is refused inline with the core's message, a real (tiny) model is imported and
 * benchmarked, and a slide sent over from the Slides view is embedded by a job that reaches done
 * and updates the vector count.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = process.env.HISTO_CHROMIUM ?? '/usr/bin/chromium';
const resultsDir = path.join(root, 'test-results');

/**
 * Console errors, page errors, failed requests and HTTP errors of a page, except the refusals the
 * test provokes on purpose (a call the core refuses answers with an error status and its envelope;
 * Chromium logs each as "Failed to load resource", which the response check covers with its URL).
 */
function watchProblems(page: Page, expectedRefusals: RegExp): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !expectedRefusals.test(response.url())) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  return problems;
}

describe('Backbones in the browser against histo serve', () => {
  let workDir: string;
  let slidePath: string;
  let modelPath: string;
  let fakeModelPath: string;
  let server: ServedHisto | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-e2e-backbones-'));
    const projectFile = path.join(workDir, 'backbones.histo');
    const created = runHisto(['project', 'create', projectFile]);
    if (created.code !== 0) throw new Error(`histo project create failed: ${created.stderr}`);
    slidePath = await writeTestSlide(workDir);
    modelPath = linearEmbedder({ inputSize: 32, dim: 16, seed: 1, dir: workDir, fileName: 'linear-32.onnx' });
    fakeModelPath = path.join(workDir, 'fake.onnx');
    fs.writeFileSync(fakeModelPath, 'this is a text file, not a model\n');

    server = await serveHisto(['--project', projectFile]);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    fs.mkdirSync(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('lists the builtin, refuses a fake model, imports and benchmarks a real one, and extracts a slide', async () => {
    const context = await browser!.newContext({ viewport: { width: 1440, height: 1180 } });
    const page = await context.newPage();
    const problems = watchProblems(page, /\/api\/call\/backbone\.import$/);

    await page.goto(server!.url);
    await page.getByTestId('nav-backbones').click();
    await page.waitForURL(/#\/backbones$/);

    // The bundled baseline, said plainly to be non-learned.
    const classic = page.getByTestId('backbone-histo-classic-v1');
    await expect.poll(() => classic.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await classic.getByTestId('backbone-dim').textContent()).toBe('294');
    expect(await classic.getByTestId('backbone-input').textContent()).toBe('224 px');
    expect(await classic.getByTestId('backbone-builtin').textContent()).toBe('Built-in');
    expect(await page.getByTestId('builtin-note').textContent()).toContain('classical, non-learned baseline');
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
    expect(await page.getByTestId('backbone-count').textContent()).toBe('2 in project');

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
    await expect.poll(() => page.getByTestId('slide-count').textContent(), { timeout: 20_000 }).toBe('1 in project');
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
    expect(await jobPanel.textContent()).toContain('embed');
    expect(await jobPanel.textContent()).toContain('Done');

    await page.evaluate(`document.querySelector('.app-shell__content')?.scrollTo(0, 0)`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(resultsDir, 'backbones.png') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
