import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';
import { droppedFilesDir } from '../../src-main/server/upload-route';

const fixtureSlide = path.resolve(__dirname, '..', 'fixtures', 'CMU-1-Small-Region.svs');

/** Dispatches the events a real file drag produces, carrying real File objects built from these bytes. */
async function dropFiles(page: Page, files: Array<{ name: string; bytes: Buffer }>): Promise<void> {
  await page.evaluate(async (list) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of list) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, files.map((f) => ({ name: f.name, base64: f.bytes.toString('base64') })));
}

/**
 * Files in the browser mode: a slide dropped on the window is uploaded beside the project and
 * imported; the file browser picks paths; recent paths are remembered; the jobs panel collapses;
 * import banners clear when another project opens.
 */
describe('Files, drag-and-drop and the file browser in the browser against histo serve', () => {
  let workDir: string;
  let projectFile: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('files');
    projectFile = path.join(workDir, 'files.histo');
    cli(['project', 'create', projectFile]);
    session = await startBrowserSession(projectFile);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('imports a dropped slide file, refuses what it cannot import, and clears the banners on a project switch', async () => {
    // Closing a project while the viewer is fetching tiles fails those loads: not what this test checks.
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1280, height: 800 }, { skipFailedLoads: true });
    await page.goto(session!.server.url);
    await page.waitForURL(/#\/slides$/);
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('0 slides in project');

    await dropFiles(page, [
      { name: 'CMU-1-Small-Region.svs', bytes: fs.readFileSync(fixtureSlide) },
      { name: 'notes.docx', bytes: Buffer.from('not a slide') },
    ]);
    const banner = page.getByTestId('drop-result');
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toContain('1 slide imported');
    expect(await banner.textContent()).toContain('notes.docx: not a slide, backbone or label file');
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('1 slide in project');
    const stored = path.join(droppedFilesDir(projectFile), 'CMU-1-Small-Region.svs');
    expect(fs.readFileSync(stored).equals(fs.readFileSync(fixtureSlide))).toBe(true);
    await expect.poll(() => page.locator('li', { hasText: 'CMU-1-Small-Region.svs' }).getByTestId('slide-mpp').textContent()).toContain('0.499');
    await page.screenshot({ path: path.join(resultsDir, 'files-drop-result-1280x800.png') });

    // A typed import leaves its own banner; opening another project clears both.
    await page.getByLabel('Import', { exact: true }).fill(stored);
    await page.getByRole('button', { name: 'Import slides from this path' }).click();
    await expect.poll(() => page.getByTestId('import-result').textContent()).toContain('1 slide imported');
    await page.getByRole('button', { name: 'Close project' }).click();
    await page.locator('#project-path-input').fill(path.join(workDir, 'other.histo'));
    await page.getByRole('button', { name: 'Create a new project at this path' }).click();
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('0 slides in project');
    expect(await page.getByTestId('drop-result').count()).toBe(0);
    expect(await page.getByTestId('import-result').count()).toBe(0);

    // Back to the first project: the banner of its drop stays gone (it was dismissed by the switch).
    await page.getByRole('button', { name: 'Close project' }).click();
    await page.locator('#project-path-input').fill(projectFile);
    await page.getByRole('button', { name: 'Open the project at this path' }).click();
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('1 slide in project');
    // Recent project paths are offered by the project field, newest first.
    await page.getByRole('button', { name: 'Close project' }).click();
    // The picker (with them) shows once the server has closed the project: poll, not read at once.
    const newestRecent = () => page.locator('#project-path-input-recent option').evaluateAll((options) => (options[0] as HTMLOptionElement | undefined)?.value);
    await expect.poll(newestRecent).toBe(projectFile);
    await page.locator('#project-path-input').fill(projectFile);
    await page.getByRole('button', { name: 'Open the project at this path' }).click();
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('1 slide in project');
    expect(problems.filter((p) => !p.includes('failed to load'))).toEqual([]);
    await context.close();
  });

  it('picks a slide with the file browser, remembers the path, and keeps the jobs panel collapsed', async () => {
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1600, height: 1000 });
    await page.goto(session!.server.url);
    await page.waitForURL(/#\/slides$/);
    await page.getByRole('button', { name: 'Browse: Choose slides to import' }).click();
    const browser = page.getByTestId('file-browser');
    await expect.poll(() => browser.getByTestId('file-browser-dir').textContent()).toBe(workDir);
    expect(await browser.getByRole('button').allTextContents()).not.toContain(expect.stringContaining('.histo-wal'));
    await browser.getByRole('button', { name: 'files-dropped' }).click();
    await expect.poll(() => browser.getByTestId('file-browser-dir').textContent()).toBe(droppedFilesDir(projectFile));
    await page.screenshot({ path: path.join(resultsDir, 'files-browser-1600x1000.png') });
    await browser.getByRole('button', { name: 'CMU-1-Small-Region.svs' }).click();
    expect(await page.getByTestId('file-browser').count()).toBe(0);
    const chosen = path.join(droppedFilesDir(projectFile), 'CMU-1-Small-Region.svs');
    expect(await page.getByLabel('Import', { exact: true }).inputValue()).toBe(chosen);

    await page.reload();
    await page.waitForURL(/#\/slides$/);
    expect(await page.locator('#slide-import-path-recent option').first().getAttribute('value')).toBe(chosen);

    const display = () => page.getByTestId('job-panel-body').evaluate((el) => getComputedStyle(el).display);
    expect(await display()).not.toBe('none');
    await page.getByRole('button', { name: 'Hide the jobs' }).click();
    expect(await display()).toBe('none');
    await page.reload();
    await page.waitForURL(/#\/slides$/);
    expect(await page.getByRole('button', { name: 'Show the jobs' }).getAttribute('aria-expanded')).toBe('false');
    expect(await display()).toBe('none');
    expect(problems).toEqual([]);
    await context.close();
  });
});
