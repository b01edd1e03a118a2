import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePatchPng, writeTissueTiff } from '../core/slides-library/generated-slides';
import { cli, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * The Slides area in Chromium against `histo serve`: import a folder, see the slides listed,
 * set a missing resolution, open the deep-zoom viewer (tiles from the token-guarded tile route)
 * and toggle the tissue and tile-grid overlays.
 */
describe('Slides in the browser against histo serve', () => {
  let workDir: string;
  let slidesDir: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('slides');
    const projectFile = path.join(workDir, 'slides.histo');
    cli(['project', 'create', projectFile]);
    slidesDir = path.join(workDir, 'incoming');
    fs.mkdirSync(path.join(slidesDir, 'patches'), { recursive: true });
    await writeTissueTiff(path.join(slidesDir, 'section-HE.tif'), { width: 6000, height: 4000, mpp: 0.5 });
    await writePatchPng(path.join(slidesDir, 'patches', 'patch-001.png'), 640, 480);
    fs.writeFileSync(path.join(slidesDir, 'broken.svs'), 'this is not a slide');
    session = await startBrowserSession(projectFile);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('imports a folder, lists the slides, sets a missing mpp, and views a slide with its overlays', async () => {
    // Console errors, page errors, failed requests and non-2xx slide images.
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1440, height: 900 }, {
      cspMessages: true,
      badResponse: (response) => /\/slides\//.test(response.url()) && response.status() !== 200,
    });
    const tileResponses: string[] = [];
    page.on('response', (response) => {
      if (/\/slides\/\d+\/tiles\/\d+\/\d+_\d+\.jpg/.test(response.url()) && response.status() === 200) tileResponses.push(response.url());
    });

    await page.goto(session!.server.url);
    await page.waitForURL(/#\/slides$/);
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('0 slides in project');

    await page.getByLabel('Import', { exact: true }).fill(slidesDir);
    await page.getByRole('button', { name: 'Import slides from this path' }).click();
    const result = page.getByTestId('import-result');
    await expect.poll(() => result.textContent()).toContain('2 slides imported, 1 could not be read');
    expect(await result.textContent()).toContain(path.join(slidesDir, 'broken.svs'));
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('2 slides in project');

    const section = page.locator('li', { hasText: 'section-HE.tif' });
    expect(await section.getByTestId('slide-dimensions').textContent()).toBe('6,000 × 4,000 px');
    expect(await section.getByTestId('slide-mpp').textContent()).toContain('0.5 µm/px');
    const patch = page.locator('li', { hasText: 'patch-001.png' });
    expect(await patch.getByTestId('slide-dimensions').textContent()).toBe('640 × 480 px');
    expect(await patch.getByTestId('slide-mpp').textContent()).toContain('Resolution unknown');
    // Every thumbnail in the list loaded.
    await expect.poll(() => page.evaluate(`[...document.querySelectorAll('.slide-item__thumb img')].every((img) => img.naturalWidth > 0)`)).toBe(true);

    // The patch has no mpp: the grid explains why it is off, then works once the mpp is set.
    await page.getByRole('button', { name: 'View patch-001.png' }).click();
    await expect.poll(() => page.getByTestId('grid-needs-mpp').isVisible()).toBe(true);
    expect(await page.getByTestId('toggle-grid').isDisabled()).toBe(true);
    await patch.getByRole('button', { name: /Set the µm per pixel/ }).click();
    await patch.getByLabel(/µm per pixel of/).fill('0.25');
    await patch.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => patch.getByTestId('slide-mpp').textContent()).toContain('0.25 µm/px');
    expect(await patch.getByTestId('slide-mpp').textContent()).toContain('set by you');
    expect(await page.getByTestId('toggle-grid').isDisabled()).toBe(false);

    // The pyramid: tiles stream in from the tile route.
    await page.getByRole('button', { name: 'View section-HE.tif' }).click();
    await expect.poll(() => tileResponses.filter((url) => /\/slides\/1\//.test(url)).length, { timeout: 20_000 }).toBeGreaterThan(3);
    await expect.poll(async () => Number(await page.getByTestId('slide-viewer').getAttribute('data-tiles-loaded')), { timeout: 20_000 }).toBeGreaterThan(3);

    await page.getByTestId('toggle-tissue').check();
    await page.getByTestId('toggle-grid').check();
    await expect.poll(() => page.getByTestId('grid-summary').textContent(), { timeout: 20_000 }).toMatch(/^[\d,]+ of [\d,]+ tiles ≥ 50% tissue/);
    // The overlay canvas holds the drawn mask and grid (it is same-origin, so readable).
    const paintedPixels = `(() => {
      const canvas = document.querySelector('.slide-viewer__overlay');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return painted;
    })()`;
    await expect.poll(() => page.evaluate(paintedPixels) as Promise<number>).toBeGreaterThan(1000);

    // Zoom in a little so the screenshot shows the grid cells over tissue, then let the tiles settle.
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForTimeout(1200);
    await page.screenshot({ path: path.join(resultsDir, 'slides.png') });

    expect(tileResponses.length).toBeGreaterThan(3);
    expect(await cspViolations()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
