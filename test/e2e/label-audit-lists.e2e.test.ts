import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTissueTiff } from '../core/slides-library/generated-slides';
import { addAuditLines, addBulkLabels, addSlideProgress } from '../helpers/bulk-progress-rows';
import { addLinkedSlides } from '../helpers/bulk-project-rows';
import { callApi, cli, makeWorkDir, openWatchedPage, removeWorkDir, startBrowserSession, type BrowserSession } from './browser-session';
import { screenSizes as viewports, screenshotsDir as screenshots } from './screen-sizes';


/**
 * Lists that scale, beyond the slide cards (issue 14): the slide list filtered by status
 * (embedded, predicted, reviewed, and not yet), a task's 24,000 labels in a virtual table that
 * searches, sorts and filters, and an audit trail of 3,000 lines with long collapsible lists,
 * virtual with measured row heights, searchable and filtered by kind.
 */
describe('Status filters, label tables and the audit trail in the browser against histo serve', () => {
  let workDir: string;
  let session: BrowserSession | undefined;
  let project = '';

  beforeAll(async () => {
    workDir = makeWorkDir('label-audit-lists');
    const template = path.join(workDir, 'template.tif');
    await writeTissueTiff(template, { width: 1200, height: 800, mpp: 0.5 });
    project = path.join(workDir, 'lists.histo');
    cli(['project', 'create', project]);
    // 30 slides: 1-12 embedded by the first backbone, 10-15 by the second, 1-6 predicted, 1-3 reviewed.
    await addLinkedSlides(project, template, path.join(workDir, 'slides'), 30, { mpp: 0.5 });
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    addSlideProgress(project, { embedded: range(1, 12), embeddedSecond: range(10, 15), predicted: range(1, 6), reviewed: range(1, 3) });
    addBulkLabels(project, 'tissue', ['tumour', 'stroma', 'necrosis'], range(16, 30), 24_000);
    addAuditLines(project, 3000, 742);
    fs.mkdirSync(screenshots, { recursive: true });
    session = await startBrowserSession(project);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  async function open(page: Page, view: string): Promise<void> {
    await callApi(session!, 'project.open', { path: project });
    await page.goto(`${session!.server.url}#/${view}`);
  }

  const shownSlideIds = (page: Page) =>
    page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid="slide-list"] .slide-item')].map((card) => Number(card.dataset.testid!.replace('slide-', ''))).sort((a, b) => a - b));

  it.each(viewports)('narrows the slide list by status at $width × $height', async (viewport) => {
    const { context, page, problems } = await openWatchedPage(session!.browser, viewport);
    await open(page, 'slides');
    await expect.poll(() => page.getByTestId('slide-list').getAttribute('data-total')).toBe('30');
    const status = page.getByTestId('slide-status-filter');
    const total = () => page.getByTestId('slide-list').getAttribute('data-total');

    await status.selectOption('predicted');
    await expect.poll(total).toBe('6');
    expect(await shownSlideIds(page)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await page.getByTestId('slide-3').getByTestId('slide-progress').textContent()).toMatch(/embedded.*predicted.*1 reviewed/);

    await status.selectOption('reviewed');
    await expect.poll(total).toBe('3');
    await status.selectOption('not-reviewed');
    await expect.poll(total).toBe('27');

    // Embedded by any backbone: 1-15; by the second only: 10-15; not yet by the first: 13-30.
    await status.selectOption('embedded');
    await expect.poll(total).toBe('15');
    await page.getByTestId('slide-status-backbone').selectOption({ label: 'with second-net' });
    await expect.poll(total).toBe('6');
    expect(await shownSlideIds(page)).toEqual([10, 11, 12, 13, 14, 15]);
    await status.selectOption('not-embedded');
    await page.getByTestId('slide-status-backbone').selectOption({ label: 'with first-net' });
    await expect.poll(total).toBe('18');

    // Combined with the search: not embedded by the first backbone and named case-0001x.
    await page.getByLabel('Search slide names').fill('case-0001');
    await expect.poll(total).toBe('7');
    expect(await shownSlideIds(page)).toEqual([13, 14, 15, 16, 17, 18, 19]);
    await page.screenshot({ path: path.join(screenshots, `${viewport.width}x${viewport.height}-slides-status-filter.png`) });

    // Least done first puts the never-embedded slides on top.
    await page.getByLabel('Search slide names').fill('');
    await status.selectOption('all');
    await page.getByLabel('Sort slides by').selectOption('progress');
    await expect.poll(total).toBe('30');
    const firstCard = page.locator('[data-testid="slide-list"] .virtual-list__row[aria-posinset="1"] .slide-item');
    expect(await firstCard.getAttribute('data-testid')).toBe('slide-16');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.each(viewports)('lists 24,000 labels in a virtual table that scrolls to the end, searches, filters and sorts at $width × $height', async (viewport) => {
    const { context, page, problems } = await openWatchedPage(session!.browser, viewport);
    await open(page, 'tasks');
    const panel = page.getByTestId('label-table-panel');
    await panel.getByTestId('label-table-task').selectOption('tissue');
    await expect.poll(() => panel.getByTestId('label-table-count').textContent(), { timeout: 20_000 }).toBe('24,000 labels');
    const table = panel.getByTestId('label-table');
    expect(await table.getAttribute('data-total')).toBe('24000');
    const rendered = () => table.locator('.label-table__row').count();
    expect(await rendered()).toBeLessThan(60);

    // The end of the list is one scroll away, and still only a few rows exist.
    await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => table.locator('.virtual-list__row[aria-posinset="24000"]').count()).toBe(1);
    expect(await rendered()).toBeLessThan(60);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshots, `${viewport.width}x${viewport.height}-tasks-label-table.png`) });

    // Class filter, source filter, search: each narrows to rows that all match.
    await panel.getByLabel('Show labels of class').selectOption('necrosis');
    await expect.poll(() => panel.getByTestId('label-table-count').textContent()).toBe('8,000 of 24,000 labels');
    // Rows follow the count a frame later (the list re-measures its scroll after it shrinks).
    const shown = (testId: string) => async () => [...new Set(await table.getByTestId(testId).allTextContents())];
    await expect.poll(shown('label-class')).toEqual(['necrosis']);
    await panel.getByLabel('Show labels from source').selectOption('viewer');
    await expect.poll(() => panel.getByTestId('label-table-count').textContent()).toBe('2,000 of 24,000 labels');
    await expect.poll(shown('label-source')).toEqual(['Viewer']);
    await panel.getByLabel('Search labels by slide or class').fill('case-00016');
    // Slide 16 holds labels 0-1,599 (1,600 per slide): 1,600 / 4 sources / 3 classes, rounded by the cycle.
    await expect.poll(() => panel.getByTestId('label-table-count').textContent()).toMatch(/^13\d of 24,000 labels$/);
    await expect.poll(async () => [...new Set(await table.locator('.label-table__cell--slide').allTextContents())]).toEqual(['case-00016.tif']);

    // Sorting by class puts tumour first; descending puts necrosis first.
    await panel.getByLabel('Search labels by slide or class').fill('');
    await panel.getByLabel('Show labels of class').selectOption('all');
    await panel.getByLabel('Show labels from source').selectOption('all');
    await panel.getByTestId('label-sort-class').click();
    await expect.poll(() => table.getByTestId('label-class').first().textContent()).toContain('tumour');
    await panel.getByTestId('label-sort-class').click();
    await expect.poll(() => table.getByTestId('label-class').first().textContent()).toContain('necrosis');
    expect(await panel.getByTestId('label-sort-class').getAttribute('aria-sort')).toBe('descending');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it.each(viewports)('keeps an audit trail of 3,000 entries virtual, searchable, filtered by kind and collapsible at $width × $height', async (viewport) => {
    const { context, page, problems } = await openWatchedPage(session!.browser, viewport);
    await open(page, 'settings');
    const trail = page.getByTestId('audit-table');
    const count = page.getByTestId('audit-count');
    await expect.poll(() => count.textContent(), { timeout: 20_000 }).toMatch(/^3,0\d\d entries$/);
    const total = Number(await trail.getAttribute('data-total'));
    expect(total).toBeGreaterThanOrEqual(3000);
    const rendered = () => trail.locator('.measured-list__row').count();
    expect(await rendered()).toBeLessThan(60);
    // Newest first: the last line the setup added is on top.
    await expect.poll(() => trail.locator('.measured-list__row[aria-posinset="1"]').textContent()).toContain('Entry 3000.');

    // Rows in view never overlap, whatever their heights: each starts where the one above ends.
    const overlaps = () =>
      trail.evaluate((list) => {
        const rows = [...list.querySelectorAll<HTMLElement>('.measured-list__row')].sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
        let found = 0;
        for (let i = 1; i < rows.length; i++) {
          const above = rows[i - 1]!.getBoundingClientRect();
          if (Number(rows[i]!.dataset.index) === Number(rows[i - 1]!.dataset.index) + 1 && Math.abs(rows[i]!.getBoundingClientRect().top - above.bottom) > 1) found++;
        }
        return found;
      });
    // The end is reachable by scrolling (heights measured on the way may move it: scroll until it shows).
    const scrollToEnd = async () => {
      const last = await trail.getAttribute('data-total');
      await expect
        .poll(async () => {
          await trail.evaluate((el) => (el.scrollTop = el.scrollHeight));
          return trail.locator(`.measured-list__row[aria-posinset="${last}"]`).count();
        })
        .toBe(1);
    };
    await scrollToEnd();
    expect(await trail.locator(`.measured-list__row[aria-posinset="${total}"]`).textContent()).toContain('Project created');
    expect(await rendered()).toBeLessThan(60);
    expect(await overlaps()).toBe(0);

    // The kind filter narrows to one action: 500 of the 3,000 are predictions.
    await trail.evaluate((el) => (el.scrollTop = 0));
    await page.getByTestId('audit-kind').selectOption('predict');
    await expect.poll(() => count.textContent()).toMatch(/^500 of 3,0\d\d entries$/);
    await expect.poll(async () => [...new Set(await trail.locator('[data-action]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action'))))]).toEqual(['predict']);

    // The search looks in the sentence and in the collapsed lists: 60 entries list case-00742.
    await page.getByTestId('audit-kind').selectOption('all');
    await page.getByLabel('Search audit entries').fill('entry 2999');
    await expect.poll(() => count.textContent()).toMatch(/^1 of 3,0\d\d entries$/);
    await page.getByLabel('Search audit entries').fill('case-00742.svs');
    await expect.poll(() => count.textContent()).toMatch(/^60 of 3,0\d\d entries$/);
    await expect.poll(() => trail.getAttribute('data-total')).toBe('60');

    // A list of 742 slides stays one short row until opened; opened, it is a bounded box of its own
    // and the rows below move down to make room.
    const firstRow = trail.locator('.measured-list__row[aria-posinset="1"]');
    const height = async () => (await firstRow.boundingBox())!.height;
    expect(await height()).toBeLessThan(60);
    await firstRow.getByTestId('audit-list').locator('summary').click();
    await expect.poll(height).toBeGreaterThan(200);
    expect(await height()).toBeLessThan(400);
    await expect.poll(overlaps).toBe(0);
    expect(await firstRow.getByTestId('audit-list').locator('li').count()).toBe(201);
    await page.screenshot({ path: path.join(screenshots, `${viewport.width}x${viewport.height}-settings-audit-trail.png`) });

    // Scrolling past the opened row and back keeps it open, and the end is still reachable.
    await scrollToEnd();
    expect(await overlaps()).toBe(0);
    await trail.evaluate((el) => (el.scrollTop = 0));
    await expect.poll(height).toBeGreaterThan(200);
    expect(await firstRow.locator('details[open]').count()).toBe(1);

    // Back to every entry: the whole trail scrolls to its first line again.
    await page.getByLabel('Search audit entries').fill('');
    await expect.poll(() => trail.getAttribute('data-total')).toBe(String(total));
    await scrollToEnd();
    expect(await overlaps()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
