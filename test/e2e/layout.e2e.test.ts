import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, startBrowserSession, type BrowserSession } from './browser-session';
import { threeClassProject } from './three-class-project';
import { screenSizes as sizes, screenshotsDir as screenshots } from './screen-sizes';

/**
 * Layout that holds: every view of a project with a slide, backbones, a task, a trained head and
 * its predictions, at 1280 × 800 and 1600 × 1000, has no horizontal document overflow (wide
 * tables scroll inside their own box). A screenshot of every view at both sizes is written to
 * test-artifacts/screenshots/ for people to look at.
 */
const views = ['slides', 'backbones', 'tasks', 'training', 'compare', 'review', 'search', 'map', 'settings'];

describe('Layout at 1280 × 800 and 1600 × 1000', () => {
  let workDir: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('layout');
    const { project } = await threeClassProject(workDir);
    session = await startBrowserSession(project);
    fs.mkdirSync(screenshots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it.each(sizes)('no view scrolls sideways at $width × $height', async (size) => {
    const { context, page, problems } = await openWatchedPage(session!.browser, size, { badResponse: httpErrorsExcept() });
    await page.goto(`${session!.server.url}#/slides`);
    const overflowing: string[] = [];
    for (const view of views) {
      await page.getByTestId(`nav-${view}`).click();
      await page.waitForURL(new RegExp(`#/${view}$`));
      if (view === 'review') {
        await expect.poll(() => page.getByTestId('review-head').locator('option').count(), { timeout: 20_000 }).toBe(2);
        await page.getByTestId('review-head').selectOption('1');
        await expect.poll(() => page.getByTestId('review-viewer').getAttribute('data-heatmap'), { timeout: 30_000 }).toBe('shown');
      }
      if (view === 'training') await page.getByTestId('runs-table').waitFor({ timeout: 20_000 });
      await page.waitForTimeout(500);
      const measured = await page.evaluate(() => {
        const root = document.documentElement;
        // The widest elements that reach past the window, to say where the overflow comes from.
        const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
          .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1)
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
        return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits };
      });
      if (measured.scrollWidth > measured.clientWidth) overflowing.push(`${view}: ${measured.scrollWidth} > ${measured.clientWidth} (${measured.culprits.join(', ')})`);
      await page.screenshot({ path: path.join(screenshots, `${size.width}x${size.height}-${view}.png`) });
      if (view === 'review') {
        // The slide list, gallery and panels sit below the viewer: one more picture of them.
        await page.locator('.review__panels').evaluate((panels) => panels.scrollIntoView({ block: 'start' }));
        await page.screenshot({ path: path.join(screenshots, `${size.width}x${size.height}-review-panels.png`) });
        expect((await page.getByTestId('review-slide-1').boundingBox())?.height).toBeGreaterThan(100);
      }
    }
    expect(overflowing).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
