import fs from 'node:fs';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNoisyPatchDataset } from '../helpers/embedding-fixtures';
import { centrePixelModel, linearEmbedder } from '../helpers/onnx-models';
import { cli, httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * The Compare area in Chromium against `histo serve`: a proxy task of noisy patches and two
 * backbones, one that pools the tile ('good') and one that sees a single pixel ('noise'). The
 * comparison runs as a job, ranks 'good' first, draws its three charts, makes 'good' the project's
 * default, and is re-opened from the history.
 */
/** Whether a canvas has anything drawn on it (any pixel that is not fully transparent). */
function canvasInked(canvas: Locator): Promise<boolean> {
  return canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    if (c.width === 0 || c.height === 0) return false;
    const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
    return false;
  });
}

describe('Compare in the browser against histo serve', () => {
  let workDir: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('compare');
    const projectFile = path.join(workDir, 'compare.histo');
    cli(['project', 'create', projectFile]);
    const dataset = await writeNoisyPatchDataset(workDir, { a: [200, 110, 160], b: [150, 70, 170] }, 12);
    cli(['dataset', 'import-folder', dataset, '--project', projectFile, '--task', 'proxy']);
    // A second labelled task for the transfer check.
    const downstreamDir = path.join(workDir, 'downstream');
    fs.mkdirSync(downstreamDir);
    const downstream = await writeNoisyPatchDataset(downstreamDir, { x: [210, 150, 190], y: [120, 60, 150] }, 8, 5);
    cli(['dataset', 'import-folder', downstream, '--project', projectFile, '--task', 'downstream']);
    cli(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 3, dir: workDir }), '--project', projectFile, '--name', 'good']);
    cli(['backbone', 'import', centrePixelModel({ inputSize: 32, dim: 16, dir: workDir }), '--project', projectFile, '--name', 'noise']);

    session = await startBrowserSession(projectFile);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('ranks the good backbone first, draws the charts, sets the project default and re-opens the comparison', async () => {
    // CSP violations are also reported as console errors; cspViolations() catches any the console would not.
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1600, height: 1900 }, { badResponse: httpErrorsExcept() });

    await page.goto(session!.server.url);
    await page.getByTestId('nav-compare').click();
    await page.waitForURL(/#\/compare$/);

    // The form: the proxy task with its label counts, the backbones as checkboxes.
    const form = page.getByTestId('compare-form');
    await expect.poll(() => form.getByLabel('Proxy task').locator('option').count(), { timeout: 20_000 }).toBe(2);
    await form.getByLabel('Proxy task').selectOption('proxy');
    expect(await form.getByTestId('compare-task-counts').textContent()).toMatch(/a\s*12\s*b\s*12/);
    expect(await form.getByLabel('Head').inputValue()).toBe('logreg');
    // What the interval resamples: the patch set's images, said as such, with how they were grouped; the patch set can be left out.
    const units = form.getByTestId('compare-units');
    await expect.poll(() => units.getByTestId('compare-units-text').textContent(), { timeout: 10_000 }).toBe('Bootstrap over 24 patch images (1 patch set)');
    expect(await units.textContent()).toContain('each image counts as an independent patient');
    const includePatchSet = units.getByRole('checkbox', { name: 'Include patch set noisy-patches' });
    expect(await includePatchSet.isChecked()).toBe(true);
    await includePatchSet.uncheck();
    await expect.poll(() => units.getByTestId('compare-units-text').textContent(), { timeout: 10_000 }).toMatch(/^Nothing to resample/);
    await form.getByRole('button', { name: 'Run comparison' }).click();
    await expect.poll(() => units.getByRole('alert').textContent()).toContain('Include at least one patch set');
    await includePatchSet.check();
    await expect.poll(() => units.getByTestId('compare-units-text').textContent(), { timeout: 10_000 }).toBe('Bootstrap over 24 patch images (1 patch set)');
    expect(await units.getByRole('alert').count()).toBe(0);
    // A new project starts with the bundled imagenet-mobilenet-v2 as its default.
    expect(await page.getByTestId('compare-default-backbone').textContent()).toContain('imagenet-mobilenet-v2');
    await expect.poll(() => page.getByTestId('compare-history').textContent()).toContain('No comparisons yet');

    // One backbone is not a comparison: said before any call.
    await form.getByRole('checkbox', { name: 'Compare good' }).check();
    await form.getByRole('button', { name: 'Run comparison' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('Tick two or more backbones');

    await form.getByRole('checkbox', { name: 'Compare noise' }).check();
    await form.getByLabel('CV folds').fill('4');
    await form.getByRole('checkbox', { name: /downstream/ }).check();
    await form.getByRole('button', { name: 'Run comparison' }).click();

    // The job shows in the job panel, then the ranking arrives.
    const jobPanel = page.getByTestId('job-panel');
    await expect.poll(() => jobPanel.textContent(), { timeout: 20_000 }).toContain('Comparing backbones');
    const results = page.getByTestId('compare-results');
    await expect.poll(() => results.isVisible(), { timeout: 120_000 }).toBe(true);
    expect(await form.getByTestId('compare-status').textContent()).toContain('Compared');
    // The result records what it resampled.
    expect(await page.getByTestId('compare-results-units').textContent()).toBe('Bootstrap over 24 patch images (1 patch set).');
    await expect.poll(() => jobPanel.textContent()).toContain('Done');

    const table = page.getByTestId('compare-table');
    expect(await table.getByTestId('compare-backbone').allTextContents()).toEqual(['good', 'noise']);
    const good = page.getByTestId('compare-row-good');
    expect(await good.getByTestId('compare-rank').textContent()).toBe('1');
    expect(await good.getByTestId('compare-f1').textContent()).toMatch(/^0\.\d{3} ± 0\.\d{3}$|^1\.000 ± 0\.\d{3}$/);
    expect(await good.getByTestId('compare-ci').textContent()).toMatch(/^[01]\.\d{3} – [01]\.\d{3}$/);
    expect(await good.getByTestId('compare-speed').textContent()).toMatch(/^[\d,.]+\s*cpu$/);
    expect(await good.locator('td').count()).toBe(13);
    // Every figure is filled (the last cell holds the row's action, none for the top row).
    for (const cell of (await good.locator('td').allTextContents()).slice(0, 12)) expect(cell.trim()).not.toBe('');

    // A winner is crowned only when its interval clears the others'; otherwise the tie is said plainly.
    const verdict = page.getByTestId('compare-verdict');
    if ((await good.getByTestId('compare-badge-tied').count()) === 0) {
      expect(await good.getByTestId('compare-badge-best').textContent()).toBe('Best');
      expect(await verdict.textContent()).toContain('good separates the classes of proxy best');
    } else {
      expect(await good.getByTestId('compare-badge-best').count()).toBe(0);
      expect(await verdict.textContent()).toContain('good and noise cannot be told apart on this proxy: their 95% intervals overlap');
    }

    // The transfer check: the proxy's ranking against the downstream task's.
    const transfer = page.getByTestId('compare-transfer-downstream');
    expect(await transfer.locator('td').first().textContent()).toMatch(/^[+−]\d\.\d{2}$|^–$/);
    expect(await transfer.locator('td').count()).toBe(4);

    // The three charts are drawn.
    for (const id of ['compare-chart-f1', 'compare-chart-speed', 'compare-chart-diagnostics']) {
      const canvas = page.getByTestId(id).locator('canvas');
      await expect.poll(() => canvasInked(canvas), { timeout: 10_000 }).toBe(true);
    }

    // The comparison is stored and listed, shown as the current one.
    const history = page.getByTestId('compare-history');
    await expect.poll(() => history.locator('li').count(), { timeout: 10_000 }).toBe(1);
    expect(await history.textContent()).toContain('Top: good');
    expect(await history.textContent()).toContain('Shown');
    expect(await page.getByTestId('compare-count').textContent()).toBe('1 comparison stored');

    // Make the winner the project's default: the project summary reloads and says so.
    await page.getByRole('button', { name: 'Use good for this project' }).click();
    await expect.poll(() => page.getByTestId('compare-default-backbone').textContent(), { timeout: 10_000 }).toContain('good');
    expect(await page.getByTestId('compare-use-done').textContent()).toContain("good is this project's default backbone");
    expect(await good.getByTestId('compare-badge-default').textContent()).toBe('Project default');
    const current = await page.evaluate(async () => {
      const token = sessionStorage.getItem('histo.token');
      const response = await fetch('/api/call/project.current', { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Histo-Token': token } : {}) }, body: '{}' });
      return (await response.json()) as { result: { defaultBackbone: string | null } };
    });
    expect(current.result.defaultBackbone).toBe('good');

    await page.evaluate(`document.querySelector('.app-shell__content')?.scrollTo(0, 0)`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(resultsDir, 'compare.png') });

    // Away and back: the results are gone from the view only when another is opened; re-open from the history.
    await page.getByTestId('nav-backbones').click();
    await page.reload();
    await page.getByTestId('nav-compare').click();
    await expect.poll(() => page.getByTestId('compare-history').locator('li').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('compare-results').count()).toBe(0);
    const entry = page.getByTestId('compare-history').locator('li').first();
    const id = (await entry.getAttribute('data-testid'))!.replace('compare-history-', '');
    await entry.getByRole('button', { name: `Open comparison #${id}` }).click();
    await expect.poll(() => page.getByTestId('compare-results').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('compare-results').textContent()).toContain(`Comparison #${id} · proxy`);
    expect(await page.getByTestId('compare-table').getByTestId('compare-backbone').allTextContents()).toEqual(['good', 'noise']);
    expect(await page.getByTestId('compare-row-good').getByTestId('compare-badge-default').textContent()).toBe('Project default');
    await expect.poll(() => canvasInked(page.getByTestId('compare-chart-f1').locator('canvas')), { timeout: 10_000 }).toBe(true);

    expect(await cspViolations()).toEqual([]);
    // The reload above aborts whatever calls the Backbones view still had in flight: the browser's doing, not a failure.
    expect(problems.filter((problem) => !problem.endsWith('(net::ERR_ABORTED)'))).toEqual([]);
    await context.close();
  });

  it('crowns no winner when the top backbones cannot be told apart', async () => {
    // The core decides separability; this checks how the UI says it, from a stored comparison with overlapping intervals.
    const score = (backbone: string, backboneId: number, f1Macro: number, ci95: [number, number]) => ({
      backbone, backboneId, f1Macro, f1Std: 0.03, ci95, balancedAccuracy: f1Macro, rocAuc: 0.9, knnAccuracy: f1Macro - 0.04,
      tilesPerSecond: null, provider: null, dim: 16, storageMBPer10kTiles: 0.61, rankMe: 8.2, augInvariance: 0.7, neighbourConsistency: null,
    });
    const tied = {
      id: 41, task: 'proxy', head: 'logreg', folds: 5, seed: 0, seconds: 3.1, transfer: [],
      ranking: [score('uni', 2, 0.91, [0.86, 0.95]), score('phikon', 3, 0.9, [0.85, 0.94]), score('classic', 1, 0.62, [0.55, 0.69])],
      notSeparable: [['uni', 'phikon']],
    };
    const listing = [{ id: 41, task: 'proxy', createdAt: '2025-03-01T09:30:00.000Z', backbones: ['uni', 'phikon', 'classic'], winner: 'uni', notSeparable: 1 }];
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1600, height: 1400 }, { badResponse: httpErrorsExcept() });
    await page.route(/\/api\/call\/compare\.(list|get)$/, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: true, result: route.request().url().endsWith('list') ? listing : tied }) }),
    );

    await page.goto(session!.server.url);
    await page.getByTestId('nav-compare').click();
    await page.getByRole('button', { name: 'Open comparison #41' }).click();
    const verdict = page.getByTestId('compare-verdict');
    await expect.poll(() => verdict.textContent(), { timeout: 10_000 }).toContain('No clear winner on proxy.');
    expect(await verdict.textContent()).toContain('uni and phikon cannot be told apart on this proxy: their 95% intervals overlap.');
    expect(await page.getByTestId('compare-badge-best').count()).toBe(0);
    expect(await page.getByTestId('compare-row-uni').getByTestId('compare-badge-tied').textContent()).toContain('Tied');
    expect(await page.getByTestId('compare-row-phikon').getByTestId('compare-badge-tied').count()).toBe(1);
    expect(await page.getByTestId('compare-row-classic').getByTestId('compare-badge-tied').count()).toBe(0);
    expect(await page.getByTestId('compare-row-uni').getByTestId('compare-speed').textContent()).toBe('–');
    expect(await page.getByTestId('compare-chart-speed').textContent()).toContain('Speed was not measured');
    await expect.poll(() => canvasInked(page.getByTestId('compare-chart-f1').locator('canvas')), { timeout: 10_000 }).toBe(true);

    await page.getByTestId('compare-results').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(resultsDir, 'compare-tied.png') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
