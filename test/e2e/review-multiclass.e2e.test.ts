import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpErrorsExcept, makeWorkDir, openWatchedPage, paintedPixels, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';
import { threeClassProject } from './three-class-project';

/**
 * Multi-class review in Chromium against `histo serve`: a three-class head over a three-band
 * slide. It starts on all classes (never silently on its last class); choosing a class of
 * interest, in the toolbar or as the heatmap's class, moves the threshold, the counts, the PR
 * curve and the exports together. A relabel to the predicted class is an accept, and U undoes it.
 */
describe('Multi-class review in the browser', () => {
  let workDir: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('review-multiclass');
    const { project } = await threeClassProject(workDir);
    session = await startBrowserSession(project);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('for a 3-class head, choosing a class changes threshold, stats and exports together', async () => {
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1280, height: 800 }, { badResponse: httpErrorsExcept() });
    await page.goto(`${session!.server.url}#/review`);
    await expect.poll(() => page.getByTestId('review-head').locator('option').count(), { timeout: 20_000 }).toBe(2);
    await page.getByTestId('review-head').selectOption('1');

    // All classes: each tile's top class and its confidence; no density for a tissue-typing task.
    const focus = page.getByTestId('review-focus');
    const called = page.getByTestId('slide-positive');
    await expect.poll(() => focus.inputValue(), { timeout: 20_000 }).toBe('*');
    expect(await page.getByTestId('threshold-title').textContent()).toContain('confidence');
    expect(await page.getByTestId('threshold-value').textContent()).toBe('0.50');
    await expect.poll(() => called.textContent()).toMatch(/of 144 tiles confident/);
    expect(await page.getByTestId('slide-classes').textContent()).toMatch(/tumour 48, stroma 48, fat 48/);
    expect(await page.getByTestId('slide-density').count()).toBe(0);

    // One class: threshold title, counts, PR curve over labelled tiles, heatmap class and export wording follow.
    await focus.selectOption('stroma');
    await expect.poll(() => called.textContent(), { timeout: 20_000 }).toMatch(/48\s+of 144 tiles stroma/);
    expect(await page.getByTestId('threshold-title').textContent()).toContain('p(stroma)');
    await expect.poll(() => page.getByTestId('heatmap-class').inputValue()).toBe('1');
    expect(await page.getByTestId('review-export-about').textContent()).toContain('p(stroma) ≥ 0.50');
    await expect.poll(() => paintedPixels(page, 'pr-chart'), { timeout: 20_000 }).toBeGreaterThan(500);
    expect(await page.getByTestId('pr-chart').getAttribute('data-curve')).toBe('labelled');
    expect(await page.getByTestId('operating-recall').textContent()).toBe('100.0%');

    // A threshold of 1 calls no tile; the exports are at that threshold, for stroma.
    await page.getByTestId('threshold-slider').fill('1');
    await expect.poll(() => called.textContent(), { timeout: 20_000 }).toMatch(/0\s+of 144 tiles stroma/);
    await page.getByTestId('threshold-slider').fill('0.5');
    await expect.poll(() => called.textContent(), { timeout: 20_000 }).toMatch(/48\s+of 144 tiles stroma/);
    const summary = path.join(workDir, 'slides.csv');
    const geojson = path.join(workDir, 'stroma.geojson');
    await page.getByLabel('Slide summary CSV').fill(summary);
    await page.getByRole('button', { name: 'Export summary' }).click();
    await expect.poll(() => page.getByTestId('review-export-result').textContent(), { timeout: 20_000 }).toContain('slides.csv');
    await page.getByLabel('QuPath GeoJSON').fill(geojson);
    await page.getByRole('button', { name: 'Export GeoJSON' }).click();
    await expect.poll(() => page.getByTestId('review-export-result').textContent(), { timeout: 20_000 }).toContain('stroma.geojson');
    expect(fs.readFileSync(summary, 'utf8').split('\n')[1]!.split(',').slice(1, 5)).toEqual(['stroma', '0.5', '144', '48']);
    const features = (JSON.parse(fs.readFileSync(geojson, 'utf8')) as { features: Array<{ properties: { classification: { name: string } } }> }).features;
    expect(features).toHaveLength(48);
    expect(features.every((f) => f.properties.classification.name === 'stroma')).toBe(true);

    // The heatmap's class is the class of interest: choosing fat there moves everything to fat.
    await page.getByTestId('heatmap-class').selectOption('2');
    await expect.poll(() => focus.inputValue(), { timeout: 20_000 }).toBe('fat');
    await expect.poll(() => called.textContent(), { timeout: 20_000 }).toMatch(/48\s+of 144 tiles fat/);
    expect(await page.getByTestId('threshold-title').textContent()).toContain('p(fat)');

    // Relabelling a top fat tile to fat is an accept; U takes it back.
    const gallery = page.getByTestId('review-gallery');
    await expect.poll(() => gallery.locator('button').first().getAttribute('aria-label'), { timeout: 20_000 }).toMatch(/: fat, score/);
    const open = await gallery.locator('button[data-label=""]').first().getAttribute('data-testid');
    await page.getByTestId(open!).click();
    await page.keyboard.press('3');
    await expect.poll(() => page.getByTestId(open!).getAttribute('data-decision')).toBe('accept');
    await expect.poll(() => page.getByTestId('review-undo').isEnabled()).toBe(true);
    await page.keyboard.press('u');
    await expect.poll(() => page.getByTestId(open!).getAttribute('data-decision')).toBe('');
    await expect.poll(() => page.getByTestId(open!).getAttribute('aria-current')).toBe('true');
    await expect.poll(() => page.getByTestId('review-progress').textContent(), { timeout: 10_000 }).toContain('0 / 144 reviewed');

    // Large tiles with their surroundings, the tile outlined.
    await page.getByTestId('review-large').check();
    await page.getByTestId('review-context').check();
    await expect.poll(() => gallery.locator('.review-gallery__outline').count()).toBeGreaterThan(10);
    // Three tiles across (the tile and one on each side), asked for at twice the small size.
    await expect.poll(() => gallery.locator('img').first().getAttribute('src')).toMatch(/&w=96&h=96&size=320$/);
    await expect.poll(() => gallery.locator('img').first().evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 20_000 }).toBe(96);

    await page.screenshot({ path: path.join(resultsDir, 'review-multiclass.png') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
