import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNoisyPatchDataset } from '../helpers/embedding-fixtures';
import { centrePixelModel, linearEmbedder } from '../helpers/onnx-models';
import { cli, httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, startBrowserSession, type BrowserSession } from './browser-session';
import { screenSizes as sizes, screenshotsDir as screenshots } from './screen-sizes';

/**
 * Compare and Map with real-world names at 1280 × 800 and 1600 × 1000: backbone names as long as
 * foundation models' are read in full (chips, ranking, history), a stored comparison says what it
 * resampled, the Map and Search toolbars wear the app's form style, and no view scrolls sideways.
 * Screenshots go to test-artifacts/screenshots/ beside the layout test's.
 */
const LONG = 'pathology-foundation-uni2-h-vit-giant-patch14';
const OTHER = 'imagenet-mobilenet-v2-finetuned-kather100k';

/** Elements matching `selector` whose text is cut (clipped or ellipsed): their scroll width exceeds their box. */
function cutText(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((s) => [...document.querySelectorAll<HTMLElement>(s)].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent ?? ''), selector);
}

/** '' when the document is no wider than the window, else by how much and the elements that reach past it. */
function documentOverflow(page: Page): Promise<string> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return '';
    // Elements past the window's edge that no scrolling or clipping box holds in.
    const unclipped = (e: HTMLElement) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return false;
      return true;
    };
    const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 && unclipped(e))
      .slice(0, 4)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
    return `${root.scrollWidth - root.clientWidth} px too wide: ${culprits.join(', ')}`;
  });
}

/** The look of a control, to check that a toolbar's controls match the app's forms. */
function controlLook(page: Page, selector: string): Promise<{ radius: string; border: string; paddingLeft: string; fontSize: string }> {
  return page.locator(selector).first().evaluate((e) => {
    const style = getComputedStyle(e);
    return { radius: style.borderTopLeftRadius, border: style.borderTopColor, paddingLeft: style.paddingLeft, fontSize: style.fontSize };
  });
}

describe('Compare and Map layout with long names', () => {
  let workDir: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('compare-map-layout');
    const project = path.join(workDir, 'layout.histo');
    cli(['project', 'create', project]);
    const dataset = await writeNoisyPatchDataset(workDir, { tumour: [200, 110, 160], stroma: [150, 70, 170] }, 10);
    cli(['dataset', 'import-folder', dataset, '--project', project, '--task', 'tissue']);
    cli(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 3, dir: workDir }), '--project', project, '--name', LONG]);
    cli(['backbone', 'import', centrePixelModel({ inputSize: 32, dim: 16, dir: workDir }), '--project', project, '--name', OTHER]);
    // A stored comparison (which embeds the patches with both backbones, so Map and Search have vectors).
    cli(['compare', '--project', project, '--task', 'tissue', '--backbones', `${LONG},${OTHER}`, '--cv', '3', '--no-speed']);
    session = await startBrowserSession(project);
    fs.mkdirSync(screenshots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it.each(sizes)('reads every backbone name in full and styles the toolbars at $width × $height', async (size) => {
    const { context, page, problems } = await openWatchedPage(session!.browser, size, { badResponse: httpErrorsExcept() });
    const name = `${size.width}x${size.height}`;
    await page.goto(`${session!.server.url}#/compare`);

    // Compare: the chips and the history name both backbones in full.
    const form = page.getByTestId('compare-form');
    await expect.poll(() => form.getByRole('checkbox', { name: `Compare ${LONG}` }).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => form.getByTestId('compare-units-text').textContent(), { timeout: 10_000 }).toBe('Bootstrap over 20 patch images (1 patch set)');
    expect(await cutText(page, '.compare-form__backbone-name, .compare-form__backbone-meta, .compare-history__backbones')).toEqual([]);
    for (const backbone of [LONG, OTHER]) expect(await form.getByText(backbone, { exact: true }).isVisible()).toBe(true);
    expect(await page.getByTestId('compare-history').textContent()).toContain(`${LONG} · ${OTHER}`);
    await page.screenshot({ path: path.join(screenshots, `${name}-compare-form.png`) });

    // The stored comparison: units recorded, names whole in the ranking, nothing wider than the window.
    await page.getByRole('button', { name: /^Open comparison #/ }).click();
    const results = page.getByTestId('compare-results');
    await expect.poll(() => results.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('compare-results-units').textContent()).toBe('Bootstrap over 20 patch images (1 patch set).');
    expect((await page.getByTestId('compare-backbone').allTextContents()).sort()).toEqual([OTHER, LONG].sort());
    expect(await cutText(page, '[data-testid="compare-backbone"]')).toEqual([]);
    expect(await documentOverflow(page)).toBe('');
    await results.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(screenshots, `${name}-compare-results.png`) });
    const formSelect = await controlLook(page, '#compare-head');

    // Map: its controls look like the app's form controls, on one styled toolbar.
    await page.getByTestId('nav-map').click();
    await page.waitForURL(/#\/map$/);
    await page.getByTestId('map-backbone').waitFor({ timeout: 20_000 });
    expect(await controlLook(page, '[data-testid="map-backbone"]')).toEqual(formSelect);
    expect(await controlLook(page, '[data-testid="map-color"]')).toEqual(formSelect);
    // A select shows as much of a long name as fits: the whole name is its tooltip.
    expect(await page.getByTestId('map-backbone').getAttribute('title')).toMatch(new RegExp(`^(${LONG}|${OTHER})$`));
    expect((await controlLook(page, '#map-sample')).radius).toBe(formSelect.radius);
    expect(await page.locator('.map-view__toolbar label').allTextContents()).toEqual(['Backbone', 'Colour by', 'Fit sample']);
    // One line: the button sits level with the selects, not wrapped under them.
    const bottom = async (testid: string) => {
      const box = (await page.getByTestId(testid).boundingBox())!;
      return box.y + box.height;
    };
    expect(Math.abs((await bottom('map-compute')) - (await bottom('map-backbone')))).toBeLessThan(3);
    expect(await documentOverflow(page)).toBe('');
    // With a map drawn (computed at the first size, stored for the second): the plot and gallery fit too.
    if ((await page.getByTestId('map-method').count()) === 0) await page.getByTestId('map-compute').click();
    await expect.poll(() => page.getByTestId('map-method').textContent(), { timeout: 60_000 }).toMatch(/^20 tiles · /);
    await page.locator('.map-view__plot canvas').first().waitFor({ timeout: 20_000 });
    // Coloured by slide (the default), the 20 patch images are one entry: their patch set.
    await expect.poll(() => page.getByRole('list', { name: 'Legend' }).locator('li').allTextContents()).toEqual(['noisy-patches (patch set, 20 images)']);
    await page.waitForTimeout(500);
    expect(await controlLook(page, '[data-testid="label-task"]')).toEqual(formSelect);
    expect(await documentOverflow(page)).toBe('');
    await page.screenshot({ path: path.join(screenshots, `${name}-map-computed.png`) });

    // Search: the same toolbar.
    await page.getByTestId('nav-search').click();
    await page.waitForURL(/#\/search$/);
    await page.getByTestId('search-backbone').waitFor({ timeout: 20_000 });
    expect(await controlLook(page, '[data-testid="search-backbone"]')).toEqual(formSelect);
    expect((await controlLook(page, '[data-testid="search-k"]')).radius).toBe(formSelect.radius);
    expect(await documentOverflow(page)).toBe('');
    await page.screenshot({ path: path.join(screenshots, `${name}-search-toolbar.png`) });

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
