import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * "Open the demo study" from the empty Slides view: the demo is built offline by the server's core
 * (into HISTO_HOME), opened, and every area shows its data. Screenshots of each area go to
 * test-results/ for the closing note.
 */
describe('the demo study in the browser against histo serve', () => {
  let workDir: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('demo');
    // The server builds the demo in HISTO_HOME/demo: a folder of this test, never the user's.
    process.env.HISTO_HOME = path.join(workDir, 'home');
    const projectFile = path.join(workDir, 'empty.histo');
    cli(['project', 'create', projectFile]);
    session = await startBrowserSession(projectFile);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('builds and opens the demo from the empty state, and every area has data', async () => {
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1280, height: 800 }, { cspMessages: true });
    await page.goto(session!.server.url);
    await page.waitForURL(/#\/slides$/);
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('0 slides in project');
    await page.getByRole('button', { name: 'Open the demo study' }).click();
    await expect.poll(() => page.getByTestId('project-path').textContent(), { timeout: 90_000 }).toBe(path.join(workDir, 'home', 'demo', 'demo-study.histo'));
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('1 slide in project');
    expect(await page.locator('main').textContent()).toContain('CMU-1-Small-Region.svs');

    const main = () => page.locator('main').textContent();
    const expectations: Array<[string, RegExp]> = [
      ['backbones', /imagenet-mobilenet-v2/],
      ['tasks', /demo-skin-layers/],
      ['training', /logreg/],
      ['review', /CMU-1-Small-Region/],
      ['map', /\d+ tiles/],
    ];
    await page.screenshot({ path: path.join(resultsDir, 'demo-slides-1280x800.png') });
    for (const [area, text] of expectations) {
      await page.getByTestId(`nav-${area}`).click();
      // Review shows a head's predictions once the head is chosen: the demo's only one.
      if (area === 'review') await page.getByTestId('review-head').selectOption({ index: 1 });
      await expect.poll(main, { timeout: 20_000 }).toMatch(text);
      await page.screenshot({ path: path.join(resultsDir, `demo-${area}-1280x800.png`) });
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
