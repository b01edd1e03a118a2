import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTissueTiff } from '../core/slides-library/generated-slides';
import { addLinkedSlides, addPatchSetRows } from '../helpers/bulk-project-rows';
import { callApi, cli, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';
import { screenSizes as viewports } from './screen-sizes';


/**
 * Patch sets listed apart from slides, and slide lists that scale: a 700-image patch folder beside
 * 2 slides reads "2 slides, 1 patch set"; 1,000 slides scroll with every card full-size, clickable
 * and showing its mpp control; 10,000 keep the page light (only the rows in view exist).
 */
describe('Slide lists in the browser against histo serve', () => {
  let workDir: string;
  let session: BrowserSession | undefined;
  const projects: Record<'mixed1280' | 'mixed1600' | 'thousand' | 'tenThousand', string> = { mixed1280: '', mixed1600: '', thousand: '', tenThousand: '' };

  beforeAll(async () => {
    workDir = makeWorkDir('slide-lists');
    const template = path.join(workDir, 'template.tif');
    await writeTissueTiff(template, { width: 1200, height: 800, mpp: 0.5 });
    for (const name of Object.keys(projects) as Array<keyof typeof projects>) {
      projects[name] = path.join(workDir, `${name}.histo`);
      cli(['project', 'create', projects[name]]);
    }
    for (const mixed of [projects.mixed1280, projects.mixed1600]) {
      await addLinkedSlides(mixed, template, path.join(workDir, 'mixed'), 2, { mpp: 0.5 });
      addPatchSetRows(mixed, path.join(workDir, 'kather-700'), ['stroma', 'tumour'], 350);
    }
    await addLinkedSlides(projects.thousand, template, path.join(workDir, 'thousand'), 1000);
    await addLinkedSlides(projects.tenThousand, template, path.join(workDir, 'ten-thousand'), 10_000);
    session = await startBrowserSession(projects.mixed1280);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  async function openProject(page: Page, file: string): Promise<void> {
    await callApi(session!, 'project.open', { path: file });
    await page.goto(session!.server.url);
    await page.waitForURL(/#\/slides$/);
  }

  it.each(viewports)('shows a 700-image patch folder as one patch set beside 2 slides at $width × $height', async (viewport) => {
    const { context, page, problems } = await openWatchedPage(session!.browser, viewport);
    await openProject(page, viewport.width === 1280 ? projects.mixed1280 : projects.mixed1600);
    await expect.poll(() => page.getByTestId('project-counts').textContent()).toMatch(/^2 slides, 1 patch set · /);
    // The project bar and the slide list load apart: wait for the list too.
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('2 slides, 1 patch set in project');
    const patchSet = page.getByRole('region', { name: 'Patch sets in this project' });
    expect(await patchSet.getByTestId('patch-set-images').textContent()).toBe('700 images');
    expect(await patchSet.textContent()).toContain('2 classes: stroma, tumour');
    expect(await patchSet.getByTestId('slide-mpp').textContent()).toContain('Resolution unknown');
    expect(await page.getByTestId('slide-list').getAttribute('data-total')).toBe('2');

    // One resolution for the whole set, saved once.
    await patchSet.getByRole('button', { name: /Set the µm per pixel/ }).click();
    await patchSet.getByLabel(/µm per pixel of/).fill('0.5');
    await patchSet.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => patchSet.getByTestId('slide-mpp').textContent()).toMatch(/0\.5 µm\/px\s*set by you/);
    await page.screenshot({ path: path.join(resultsDir, `slides-patch-set-${viewport.width}x${viewport.height}.png`) });

    // Extraction offers the 2 slides and the patch set as one input each, never 700 image rows.
    await page.getByRole('button', { name: 'Extract embeddings of all slides' }).click();
    await page.waitForURL(/#\/backbones/);
    const inputs = page.getByRole('list', { name: 'Slides to extract' });
    await expect.poll(() => inputs.getByRole('checkbox').count()).toBe(3);
    expect(await inputs.getByRole('checkbox', { checked: true }).count()).toBe(2);
    expect(await inputs.locator('li', { hasText: 'kather-700' }).textContent()).toContain('patch set · 700 images · 0.5 µm/px');
    expect(problems).toEqual([]);
    await context.close();
  });

  it.each(viewports)('scrolls 1,000 slides with every card full-size, clickable and showing its mpp control at $width × $height', async (viewport) => {
    const { context, page, problems } = await openWatchedPage(session!.browser, viewport);
    await openProject(page, projects.thousand);
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('1,000 slides in project');
    const list = page.getByTestId('slide-list');
    expect(await list.getAttribute('data-total')).toBe('1000');

    // Walk the whole list a view at a time: every card that comes into view is the full height,
    // is the topmost element at its centre (so a click reaches it) and shows its mpp control.
    const seen = await page.evaluate(async () => {
      const scroller = document.querySelector('[data-testid="slide-list"]') as HTMLElement;
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const ok = new Set<string>();
      const bad: string[] = [];
      // Each step overlaps the last by more than a card, so every card is once wholly in view.
      const rowHeight = (scroller.querySelector('.virtual-list__row') as HTMLElement).offsetHeight;
      const step = scroller.clientHeight - rowHeight - 8;
      for (let top = 0; ; top += step) {
        scroller.scrollTop = top;
        await frame();
        const box = scroller.getBoundingClientRect();
        for (const card of scroller.querySelectorAll<HTMLElement>('.slide-item')) {
          const rect = card.getBoundingClientRect();
          if (rect.top < box.top || rect.bottom > box.bottom) continue; // only cards wholly in view
          const id = card.dataset.testid!;
          const select = card.querySelector('.slide-item__select') as HTMLElement;
          const mpp = card.querySelector('[aria-label^="Set the µm per pixel"]') as HTMLElement | null;
          const selectRect = select.getBoundingClientRect();
          const hit = document.elementFromPoint(selectRect.left + selectRect.width / 2, selectRect.top + selectRect.height / 2);
          const mppRect = mpp?.getBoundingClientRect();
          if (rect.height < 100 || !hit || !select.contains(hit) || !mppRect || mppRect.height < 10 || mppRect.bottom > rect.bottom) bad.push(`${id}: ${rect.height}px`);
          else ok.add(id);
        }
        if (top >= scroller.scrollHeight - scroller.clientHeight) break;
      }
      return { ok: ok.size, bad, rendered: scroller.querySelectorAll('.slide-item').length };
    });
    expect(seen.bad).toEqual([]);
    expect(seen.ok).toBe(1000);
    expect(seen.rendered).toBeLessThan(40);

    // Real clicks, on the last card and on one found by search.
    const last = page.getByTestId('slide-1000');
    await last.getByRole('button', { name: 'View case-01000.tif' }).click();
    expect(await last.getByRole('button', { name: 'View case-01000.tif' }).getAttribute('aria-pressed')).toBe('true');
    expect(await last.getByTestId('slide-mpp').isVisible()).toBe(true);
    await page.getByLabel('Search slide names').fill('case-00500');
    await expect.poll(() => page.getByTestId('slides-shown').textContent()).toBe('1 shown');
    await page.getByRole('button', { name: 'View case-00500.tif' }).click();
    await expect.poll(() => page.getByTestId('slide-viewer').isVisible()).toBe(true);
    expect(await page.locator('.slide-viewer').textContent()).toContain('case-00500.tif');
    await page.getByLabel('Search slide names').fill('');
    await page.getByLabel('Show slides by resolution').selectOption('unknown');
    await expect.poll(() => page.getByTestId('slides-shown').textContent()).toBe('334 shown');
    await page.screenshot({ path: path.join(resultsDir, `slides-1000-${viewport.width}x${viewport.height}.png`) });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps 10,000 slides light: only the rows in view exist, and the end of the list is one scroll away', async () => {
    const { context, page, problems } = await openWatchedPage(session!.browser, viewports[0]!);
    await openProject(page, projects.tenThousand);
    await expect.poll(() => page.getByTestId('slide-count').textContent(), { timeout: 20_000 }).toBe('10,000 slides in project');
    const list = page.getByTestId('slide-list');
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => page.getByTestId('slide-10000').isVisible()).toBe(true);
    expect(await page.locator('.slide-item').count()).toBeLessThan(40);
    await page.getByLabel('Sort slides by').selectOption('name');
    await page.getByLabel('Search slide names').fill('case-0999');
    await expect.poll(() => page.getByTestId('slides-shown').textContent()).toBe('10 shown');
    expect(problems).toEqual([]);
    await context.close();
  });
});
