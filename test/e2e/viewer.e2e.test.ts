import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedProject, type TrainedProject } from '../core/slides-library/predicted-project';
import { callApi, httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * The Review viewer as a pathologist uses it, in Chromium against `histo serve`: scale bar and
 * magnification, the class map with its legend, the legend folded and moved, the heatmap opacity
 * and the legend's place kept across a reload, the viewer taking most of the window (at least
 * 60 % of its width and half its height) and filling it when maximised.
 */
describe('the Review viewer in the browser against histo serve', () => {
  let workDir: string;
  let trained: TrainedProject;
  let session: BrowserSession | undefined;
  const api = <T>(method: string, body: unknown): Promise<T> => callApi<T>(session!, method, body);

  beforeAll(async () => {
    workDir = makeWorkDir('viewer');
    trained = await trainedProject(workDir);
    session = await startBrowserSession(trained.project);
    const { jobId } = await api<{ jobId: string }>('predict.start', { head: trained.headId, paths: [trained.slide] });
    const deadline = Date.now() + 60_000;
    while ((await api<{ state: string } | null>('job.result', { jobId }))?.state !== 'done') {
      if (Date.now() > deadline) throw new Error('the prediction did not finish in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it.each([
    [1280, 800],
    [1600, 1000],
  ])('shows scale, class map and a movable legend at %i x %i, keeping the user settings', async (width, height) => {
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width, height }, { cspMessages: true, badResponse: httpErrorsExcept() });
    await page.goto(session!.server.url);
    await page.evaluate(() => window.localStorage.clear());
    await page.getByTestId('nav-review').click();
    await expect.poll(() => page.getByTestId('review-head').locator('option').count(), { timeout: 20_000 }).toBe(2);
    await page.getByTestId('review-head').selectOption(String(trained.headId));
    const viewer = page.getByTestId('review-viewer');
    await expect.poll(() => viewer.getAttribute('data-heatmap'), { timeout: 30_000 }).toBe('shown');
    await expect.poll(() => page.getByTestId('viewer-magnification').textContent(), { timeout: 10_000 }).toMatch(/^\d+(\.\d)?×$/);
    expect(await page.getByTestId('viewer-scale').textContent()).toMatch(/\d+ (µm|mm)/);
    // Not maximised, the viewer already takes most of the window.
    const box = (await viewer.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(width * 0.6);
    expect(box.height).toBeGreaterThanOrEqual(height * 0.5);

    // The class map: one swatch per class of the head.
    await page.getByTestId('heatmap-class').selectOption('map');
    await expect.poll(() => viewer.getAttribute('data-heatmap'), { timeout: 30_000 }).toBe('shown');
    expect(await page.getByTestId('class-map-legend').locator('li').allTextContents()).toEqual(['stroma', 'tumour']);

    // Fold the legend, drag it up and right, set the opacity; all three survive a reload.
    await page.getByTestId('legend-fold').click();
    await expect.poll(() => page.getByTestId('class-map-legend').count()).toBe(0);
    const legend = page.getByTestId('heatmap-legend');
    const start = (await legend.boundingBox())!;
    await page.mouse.move(start.x + 20, start.y + start.height / 2);
    await page.mouse.down();
    await page.mouse.move(start.x + 120, start.y + start.height / 2 - 60, { steps: 6 });
    await page.mouse.up();
    const moved = (await legend.boundingBox())!;
    expect(moved.x - start.x).toBeCloseTo(100, -1);
    expect(start.y - moved.y).toBeCloseTo(60, -1);
    await page.getByTestId('heatmap-opacity').fill('0.8');
    await page.screenshot({ path: path.join(resultsDir, `review-viewer-${width}x${height}.png`) });

    await page.reload();
    await page.getByTestId('review-head').selectOption(String(trained.headId));
    await expect.poll(() => viewer.getAttribute('data-heatmap'), { timeout: 30_000 }).toBe('shown');
    expect(await page.getByTestId('heatmap-opacity').inputValue()).toBe('0.8');
    expect(await page.getByTestId('legend-fold').getAttribute('aria-expanded')).toBe('false');
    const again = (await legend.boundingBox())!;
    expect(Math.abs(again.x - moved.x)).toBeLessThan(3);

    // Maximised, the viewer takes the window; Escape gives the page back.
    await page.getByTestId('viewer-maximise').click();
    await expect.poll(async () => (await viewer.boundingBox())!.width).toBeGreaterThan(width - 10);
    expect((await viewer.boundingBox())!.height).toBeGreaterThan(height * 0.8);
    await page.screenshot({ path: path.join(resultsDir, `review-viewer-maximised-${width}x${height}.png`) });
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await viewer.boundingBox())!.width).toBeLessThan(width - 10);

    expect(problems).toEqual([]);
    expect(await cspViolations()).toEqual([]);
    await context.close();
  });
});
