import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePatchDataset } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { cli, httpErrorsExcept, makeWorkDir, openWatchedPage, paintedPixels, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * Tasks & Labels and Training in Chromium against `histo serve`: a patch dataset embedded by the
 * CLI shows as task 'tissue' with 10 labels per class; a bad label file is refused inline with the
 * file and line; a logistic-regression head with view augmentation trains in 3 grouped folds and
 * shows its metrics, confusion matrix, ROC/PR charts and augmentation gain; a learning curve is
 * drawn; two runs are compared side by side; a head is exported as ONNX.
 */
describe('Tasks & Labels and Training in the browser against histo serve', () => {
  let workDir: string;
  let badCsv: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('training');
    const projectFile = path.join(workDir, 'training.histo');
    cli(['project', 'create', projectFile]);
    const modelPath = linearEmbedder({ inputSize: 32, dim: 16, seed: 9, dir: workDir });
    cli(['backbone', 'import', modelPath, '--project', projectFile, '--name', 'lin']);
    const patches = await writePatchDataset(workDir, { adipose: [245, 235, 235], lymphocytes: [70, 50, 150], tumour: [190, 90, 160] }, 10);
    cli(['dataset', 'import-folder', patches, '--project', projectFile, '--task', 'tissue', '--backbone', 'lin', '--views', 'd4']);
    badCsv = path.join(workDir, 'bad-labels.csv');
    fs.writeFileSync(badCsv, `source,label\n${path.join(patches, 'adipose', '0.png')},adipose\nno-such-patch.png,tumour\n`);

    session = await startBrowserSession(projectFile);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('lists the task with its label counts, refuses a bad label file inline, trains, draws a learning curve and compares runs', async () => {
    // The label-file refusal the test provokes answers with an error status; Chromium logs it as
    // "Failed to load resource", which the response rule covers with its URL.
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1600, height: 1000 }, {
      cspMessages: true,
      skipFailedLoads: true,
      badResponse: httpErrorsExcept(/\/api\/call\/label\.import$/),
    });

    await page.goto(session!.server.url);
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
    // The patches carry no resolution: the form says so before anything starts.
    await expect.poll(() => form.getByTestId('training-warnings').textContent()).toContain('30 tiles of this task come from images without a resolution (patch set patches)');
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
    // The paired verdict over the same folds, never '±0.000'; and what auto chose.
    expect(await result.getByTestId('augmentation-gain').textContent()).toMatch(/(no measurable gain|[+−]\d\.\d{3}).*paired, (95% CI|\d+ pairs?)/s);
    expect(await result.getByTestId('augmentation-gain').textContent()).not.toContain('±0.000');
    expect(await result.getByTestId('preprocessing-choice').textContent()).toMatch(/(none|l2|standardize|standardize-project)\s*auto: /);
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
    expect(await curve.getByTestId('curve-difference').count()).toBe(2);
    for (const text of await curve.getByTestId('curve-difference').allTextContents()) expect(text).toMatch(/no measurable gain|[+−]\d\.\d{3}/);
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

    // Review warns before predicting with a head whose training patches have no resolution.
    await page.getByTestId('nav-review').click();
    await expect.poll(() => page.getByTestId('review-head').locator('option').count(), { timeout: 20_000 }).toBe(3);
    await page.getByTestId('review-head').selectOption('1');
    await expect.poll(() => page.getByTestId('predict-warnings').textContent(), { timeout: 20_000 }).toContain('The images this head learned on have no resolution');
    await page.getByTestId('nav-training').click();
    await page.getByRole('button', { name: 'Show head 1' }).waitFor({ timeout: 20_000 });

    // Everything on one tall page for the screenshot.
    await page.setViewportSize({ width: 1600, height: 2400 });
    await page.evaluate(`document.querySelector('.app-shell__content')?.scrollTo(0, 0)`);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(resultsDir, 'training.png') });

    expect(problems).toEqual([]);
    expect(await cspViolations()).toEqual([]);
    await context.close();
  });
});
