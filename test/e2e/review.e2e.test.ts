import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedProject, type TrainedProject } from '../core/slides-library/predicted-project';
import { httpErrorsExcept, makeWorkDir, openWatchedPage, paintedPixels, removeWorkDir, resultsDir, callApi, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * The Review area in Chromium against `histo serve`: a head trained by the CLI on a two-region
 * slide predicts it from the UI (half the tiles tumour), the heatmap is drawn over the slide,
 * the threshold changes the counts and moves the operating point on the PR chart, three tiles
 * are reviewed with the keyboard and become labels of the task, and predictions are exported.
 */
describe('Review in the browser against histo serve', () => {
  let workDir: string;
  let trained: TrainedProject;
  let session: BrowserSession | undefined;

  const api = <T>(method: string, body: unknown): Promise<T> => callApi<T>(session!, method, body);

  beforeAll(async () => {
    workDir = makeWorkDir('review');
    trained = await trainedProject(workDir);
    session = await startBrowserSession(trained.project);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('predicts, overlays the heatmap, moves the threshold, reviews with the keyboard and exports', async () => {
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1600, height: 1000 }, {
      cspMessages: true,
      badResponse: httpErrorsExcept(),
    });

    await page.goto(session!.server.url);
    await page.getByTestId('nav-review').click();
    await page.waitForURL(/#\/review$/);

    // Pick the head and run it over the project's slide (a job).
    await expect.poll(() => page.getByTestId('review-head').locator('option').count(), { timeout: 20_000 }).toBe(2);
    await page.getByTestId('review-head').selectOption(String(trained.headId));
    expect(await page.getByTestId('review-labels-note').textContent()).toContain('Decisions are saved as labels of task tumour; retrain in Training to use them.');
    // The button says what it will run: the one slide this head has not predicted yet.
    await expect.poll(() => page.getByTestId('review-predict').textContent()).toContain('Predict 1 slide not yet predicted');
    await page.getByTestId('review-predict').click();
    await expect.poll(() => page.getByTestId('review-run-status').textContent(), { timeout: 60_000 }).toContain('Predicted 1 of 1 slide');
    expect(await page.getByTestId('job-panel').textContent()).toContain('Predicting slides');

    // The summary at the head's own threshold: the left half (64 of 128 tiles) is tumour.
    const positive = page.getByTestId('slide-positive');
    await expect.poll(() => positive.textContent(), { timeout: 20_000 }).toMatch(/64\s+of 128 tiles tumour\s+50(\.0)?%/);
    expect(await page.getByTestId('slide-reviewed').textContent()).toContain('0 / 128 reviewed');

    // The heatmap is one image over the slide, drawn by the viewer.
    const viewer = page.getByTestId('review-viewer');
    await expect.poll(() => viewer.getAttribute('data-heatmap'), { timeout: 30_000 }).toBe('shown');
    await expect.poll(async () => Number(await viewer.getAttribute('data-tiles-loaded')), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('heatmap-legend').textContent()).toContain('p(tumour)');
    await page.getByTestId('heatmap-opacity').fill('0.7');

    // The operating point on the head's PR curve, then a threshold of 0 calls every tile positive.
    await expect.poll(() => paintedPixels(page, 'pr-chart'), { timeout: 20_000 }).toBeGreaterThan(1000);
    const defaultThreshold = await page.getByTestId('threshold-value').textContent();
    expect(await page.getByTestId('operating-recall').textContent()).toBe('100.0%');
    expect(await page.getByTestId('operating-precision').textContent()).toBe('100.0%');
    await page.getByTestId('threshold-slider').fill('0');
    await expect.poll(() => positive.textContent(), { timeout: 20_000 }).toMatch(/128\s+of 128 tiles tumour/);
    expect(await page.getByTestId('threshold-value').textContent()).toBe('0.00');
    // Six of the twelve labelled tiles are tumour: calling everything positive halves the precision.
    expect(await page.getByTestId('operating-precision').textContent()).toBe('50.0%');
    await page.getByRole('button', { name: `Reset to ${defaultThreshold}` }).click();
    await expect.poll(() => positive.textContent(), { timeout: 20_000 }).toMatch(/64\s+of 128 tiles tumour/);

    // Review three tiles with the keyboard, starting at the first unlabelled top-scoring tile.
    const gallery = page.getByTestId('review-gallery');
    await expect.poll(() => gallery.locator('button').count(), { timeout: 20_000 }).toBeGreaterThan(10);
    await expect.poll(() => gallery.locator('img').evaluateAll((images) => images.slice(0, 6).every((i) => (i as HTMLImageElement).naturalWidth > 0)), { timeout: 20_000 }).toBe(true);
    const tiles = await gallery.locator('button').evaluateAll((buttons) => buttons.map((b) => ({ id: b.getAttribute('data-testid')!, label: b.getAttribute('data-label') ?? '' })));
    const start = tiles.findIndex((t) => t.label === '');
    expect(start).toBeGreaterThanOrEqual(0);
    const reviewed = tiles.slice(start, start + 3);
    const tasksBefore = await api<Array<{ name: string; labels: { perClass: Record<string, number> } }>>('task.list', {});
    const countBefore = Object.values(tasksBefore.find((t) => t.name === 'tumour')!.labels.perClass).reduce((a, b) => a + b, 0);

    await page.getByTestId(reviewed[0]!.id).click();
    await page.keyboard.press('a');
    await expect.poll(() => page.getByTestId(reviewed[0]!.id).getAttribute('data-decision')).toBe('accept');
    await page.keyboard.press('r');
    await expect.poll(() => page.getByTestId(reviewed[1]!.id).getAttribute('data-decision')).toBe('reject');
    await page.keyboard.press('1');
    await expect.poll(() => page.getByTestId(reviewed[2]!.id).getAttribute('data-decision')).toBe('relabel');
    await expect.poll(() => page.getByTestId(reviewed[2]!.id).getByTestId('tile-verdict').textContent()).toContain('stroma');
    await expect.poll(() => page.getByTestId('review-progress').textContent(), { timeout: 10_000 }).toContain('3 / 128 reviewed');
    expect(await page.getByTestId('slide-reviewed').textContent()).toContain('3 / 128 reviewed');

    // The decisions are labels of the task now (tiles that had none add to the count).
    const tasksAfter = await api<Array<{ name: string; labels: { perClass: Record<string, number> } }>>('task.list', {});
    const countAfter = Object.values(tasksAfter.find((t) => t.name === 'tumour')!.labels.perClass).reduce((a, b) => a + b, 0);
    expect(countAfter).toBe(countBefore + reviewed.filter((t) => t.label === '').length);
    expect(countAfter).toBeGreaterThan(countBefore);

    // J and K walk the gallery; the cursor is the tile the viewer outlines.
    await page.keyboard.press('k');
    await expect.poll(() => page.getByTestId(reviewed[2]!.id).getAttribute('aria-current')).toBe('true');

    // Exports into a temporary folder.
    const csv = path.join(workDir, 'tiles.csv');
    const geojson = path.join(workDir, 'tiles.geojson');
    await page.getByLabel('Per-tile CSV').fill(csv);
    await page.getByRole('button', { name: 'Export tile CSV' }).click();
    await expect.poll(() => page.getByTestId('review-export-result').textContent(), { timeout: 20_000 }).toContain('tiles.csv');
    await page.getByLabel('QuPath GeoJSON').fill(geojson);
    await page.getByRole('button', { name: 'Export GeoJSON' }).click();
    await expect.poll(() => page.getByTestId('review-export-result').textContent(), { timeout: 20_000 }).toContain('tiles.geojson');
    // Every tile in the CSV, marked when called tumour; only the 64 called tiles in the GeoJSON.
    const csvLines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(csvLines).toHaveLength(129);
    expect(csvLines[0]!.endsWith(',called_tumour')).toBe(true);
    expect(csvLines.filter((l) => l.endsWith(',1'))).toHaveLength(64);
    expect((JSON.parse(fs.readFileSync(geojson, 'utf8')) as { features: unknown[] }).features).toHaveLength(64);

    await page.getByTestId(reviewed[0]!.id).click();
    await page.waitForTimeout(900);
    await page.screenshot({ path: path.join(resultsDir, 'review.png') });
    expect(await cspViolations()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
