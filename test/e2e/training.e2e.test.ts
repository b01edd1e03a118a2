import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePatchDataset } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { runHisto, serveHisto, type ServedHisto } from '../helpers/run-cli';

/**
 * Tasks & Labels and Training in Chromium against `histo serve`: a patch dataset embedded by the
 * CLI shows as task 'tissue' with 10 labels per class; a bad label file is refused inline with the
 * file and line; a logistic-regression head with view augmentation trains in 3 grouped folds and
 * shows its metrics, confusion matrix, ROC/PR charts and augmentation gain; a learning curve is
 * drawn; two runs are compared side by side; a head is exported as ONNX.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = process.env.HISTO_CHROMIUM ?? '/usr/bin/chromium';
const resultsDir = path.join(root, 'test-results');

// Runs in the page before any of its scripts; init scripts are injected by the browser, not subject to CSP.
const recordCspViolations = `
  globalThis.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    globalThis.__cspViolations.push(event.violatedDirective + ' blocked ' + event.blockedURI + ' at ' + event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber + ' ' + location.hash);
  });
`;

/** Console errors, page errors, failed requests and HTTP errors, except the refusals the test provokes. */
function watchProblems(page: Page, expectedRefusals: RegExp): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) problems.push(`console ${message.type()}: ${text}`);
    else if (message.type() === 'error' && !text.startsWith('Failed to load resource')) problems.push(`console error: ${text}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !expectedRefusals.test(response.url())) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  return problems;
}

/** Opaque pixels drawn on the first canvas under a test id: 0 for a chart that never drew. */
function paintedPixels(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement | null;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  }, testId);
}

describe('Tasks & Labels and Training in the browser against histo serve', () => {
  let workDir: string;
  let badCsv: string;
  let server: ServedHisto | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-e2e-training-'));
    const projectFile = path.join(workDir, 'training.histo');
    const cli = (args: string[]) => {
      const result = runHisto(args);
      if (result.code !== 0) throw new Error(`histo ${args.slice(0, 2).join(' ')} failed: ${result.stderr}`);
    };
    cli(['project', 'create', projectFile]);
    const modelPath = linearEmbedder({ inputSize: 32, dim: 16, seed: 9, dir: workDir });
    cli(['backbone', 'import', modelPath, '--project', projectFile, '--name', 'lin']);
    const patches = await writePatchDataset(workDir, { adipose: [245, 235, 235], lymphocytes: [70, 50, 150], tumour: [190, 90, 160] }, 10);
    cli(['dataset', 'import-folder', patches, '--project', projectFile, '--task', 'tissue', '--backbone', 'lin', '--views', 'd4']);
    badCsv = path.join(workDir, 'bad-labels.csv');
    fs.writeFileSync(badCsv, `source,label\n${path.join(patches, 'adipose', '0.png')},adipose\nno-such-patch.png,tumour\n`);

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

  it('lists the task with its label counts, refuses a bad label file inline, trains, draws a learning curve and compares runs', async () => {
    const context = await browser!.newContext({ viewport: { width: 1600, height: 1000 } });
    await context.addInitScript(recordCspViolations);
    const page = await context.newPage();
    const problems = watchProblems(page, /\/api\/call\/labels\.import$/);

    await page.goto(server!.url);
    await page.getByTestId('nav-tasks').click();
    await page.waitForURL(/#\/tasks$/);

    // The patch dataset: task 'tissue', 10 labels in each class, 30 in all, one per patch image.
    const tissue = page.getByTestId('task-tissue');
    await expect.poll(() => tissue.isVisible(), { timeout: 20_000 }).toBe(true);
    for (const name of ['adipose', 'lymphocytes', 'tumour']) {
      expect(await tissue.getByTestId(`class-${name}`).getByTestId('class-count').textContent()).toBe('10');
    }
    expect(await tissue.getByTestId('task-total').textContent()).toBe('30');
    await tissue.getByRole('button', { name: 'Labels of tissue per slide' }).click();
    expect(await tissue.getByTestId('per-slide').locator('tbody tr').count()).toBe(30);

    // A label file naming a patch the project does not have: refused with the file and the line.
    await page.getByLabel('Label file').fill(badCsv);
    await page.getByRole('button', { name: 'Import labels' }).click();
    const importError = page.getByTestId('labels-import-error');
    await expect.poll(() => importError.textContent(), { timeout: 20_000 }).toContain(badCsv);
    expect(await importError.textContent()).toMatch(/line 3: no slide or image 'no-such-patch\.png'/);
    expect(await importError.getAttribute('role')).toBe('alert');
    expect(await tissue.getByTestId('task-total').textContent()).toBe('30');

    await page.evaluate(`document.querySelector('.app-shell__content')?.scrollTo(0, 0)`);
    await page.screenshot({ path: path.join(resultsDir, 'tasks.png') });

    // Train logreg with stored-view augmentation in 3 grouped folds.
    await page.getByTestId('nav-training').click();
    await page.waitForURL(/#\/training$/);
    const form = page.getByTestId('training-form');
    await expect.poll(() => form.getByLabel('Task', { exact: true }).inputValue(), { timeout: 20_000 }).toBe('tissue');
    await form.getByLabel('Backbone').selectOption({ label: 'lin (16-d, 240 vectors)' });
    await form.getByLabel('Head', { exact: true }).selectOption('logreg');
    await form.getByLabel('Stored views (D4 / stain)').check();
    await form.getByLabel('CV folds').fill('3');
    await form.getByRole('button', { name: 'Train head' }).click();

    const result = page.getByTestId('training-result');
    await expect.poll(() => result.isVisible(), { timeout: 60_000 }).toBe(true);
    const f1Macro = Number(await result.getByTestId('metric-f1Macro').locator('.train-result__metric-value').textContent());
    expect(f1Macro).toBeGreaterThan(0.9);
    expect(await result.getByTestId('metric-f1Macro').textContent()).toContain('±');
    for (const key of ['f1', 'precision', 'recall', 'balancedAccuracy', 'rocAuc', 'prAuc']) expect(await result.getByTestId(`metric-${key}`).isVisible()).toBe(true);
    expect(await result.getByTestId('augmentation-gain').textContent()).toMatch(/views.*F1 macro \d\.\d{3} → \d\.\d{3}/s);
    expect(await result.getByTestId('training-time').textContent()).toMatch(/trained in [\d.]+ s/);
    expect(await result.getByTestId('confusion-matrix').locator('tbody tr').count()).toBe(3);
    expect(await result.getByTestId('fold-table').locator('tbody tr').count()).toBe(3);
    await expect.poll(() => paintedPixels(page, 'roc-chart')).toBeGreaterThan(1000);
    await expect.poll(() => paintedPixels(page, 'pr-chart')).toBeGreaterThan(1000);
    expect(await page.getByTestId('training-status').textContent()).toContain('Trained');
    expect(await page.getByTestId('head-count').textContent()).toBe('1 trained head');

    // Export the head as ONNX (head alone).
    const onnxOut = path.join(workDir, 'head-1.onnx');
    await result.getByLabel('ONNX file to write').fill(onnxOut);
    await result.getByRole('button', { name: 'Export' }).click();
    await expect.poll(() => result.getByTestId('head-export').textContent(), { timeout: 20_000 }).toContain(`Wrote ${onnxOut}`);
    expect(fs.statSync(onnxOut).size).toBeGreaterThan(0);

    // A learning curve at 2 and 5 labels per class, 3 repeats, with and without the views.
    await form.getByRole('radio', { name: 'Learning curve' }).check();
    await form.getByLabel('Labels per class').fill('2, 5');
    await form.getByLabel('Repeats').fill('3');
    await form.getByRole('button', { name: 'Draw learning curve' }).click();
    const curve = page.getByTestId('learning-curve');
    await expect.poll(() => curve.isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await curve.locator('tbody tr').count()).toBe(2);
    expect(await curve.locator('thead').textContent()).toContain('With aug.');
    await expect.poll(() => paintedPixels(page, 'learning-curve')).toBeGreaterThan(1000);

    // A second run (kNN, no augmentation), then both side by side.
    await form.getByRole('radio', { name: 'Cross-validate & train' }).check();
    await form.getByLabel('Head', { exact: true }).selectOption('knn');
    await form.getByLabel('Stored views (D4 / stain)').uncheck();
    await form.getByLabel('CV folds').fill('3');
    await form.getByRole('button', { name: 'Train head' }).click();
    await expect.poll(() => page.getByTestId('head-count').textContent(), { timeout: 60_000 }).toBe('2 trained heads');
    await expect.poll(() => result.locator('#train-result-title').textContent()).toContain('Head #2');

    await page.getByLabel('Compare head 1').check();
    await page.getByLabel('Compare head 2').check();
    const compare = page.getByTestId('training-compare');
    await expect.poll(() => compare.isVisible(), { timeout: 20_000 }).toBe(true);
    const header = await compare.getByTestId('compare-table').locator('thead').textContent();
    expect(header).toContain('#1 logreg');
    expect(header).toContain('#2 knn');
    expect(await compare.getByTestId('compare-table').locator('tbody tr').first().locator('td').count()).toBe(2);
    await expect.poll(() => paintedPixels(page, 'compare-pr-chart')).toBeGreaterThan(1000);

    // A stored head opens in full again from the table (head.get).
    await page.getByRole('button', { name: 'Show head 1' }).click();
    await expect.poll(() => result.locator('#train-result-title').textContent(), { timeout: 20_000 }).toContain('Head #1');
    expect(await result.getByTestId('augmentation-gain').isVisible()).toBe(true);
    await expect.poll(() => paintedPixels(page, 'pr-chart')).toBeGreaterThan(1000);

    // Everything on one tall page for the screenshot.
    await page.setViewportSize({ width: 1600, height: 2400 });
    await page.evaluate(`document.querySelector('.app-shell__content')?.scrollTo(0, 0)`);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(resultsDir, 'training.png') });

    expect(problems).toEqual([]);
    expect(await page.evaluate('globalThis.__cspViolations')).toEqual([]);
    await context.close();
  });
});
