import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTwoRegionProject } from '../helpers/search-fixtures';
import { httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, callApi, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * Search and Map in Chromium against `histo serve`, on a two-region slide embedded by the CLI:
 * a click on the slide searches, the results are selected and labelled in one action; the map is
 * computed as a job, a lasso selects points and they are labelled. Labels are checked through the
 * API, as training reads them.
 */
describe('Search and Map in the browser against histo serve', () => {
  let workDir: string;
  let session: BrowserSession | undefined;

  const api = <T>(method: string, body: unknown): Promise<T> => callApi<T>(session!, method, body);

  async function labelsOf(className: string): Promise<Array<{ tileId: number }>> {
    const tasks = await api<Array<{ name: string; labels: { perClass: Record<string, number> } }>>('task.list', {});
    return Array.from({ length: tasks.find((t) => t.name === 'tumour')?.labels.perClass[className] ?? 0 }, (_, i) => ({ tileId: i }));
  }

  beforeAll(async () => {
    workDir = makeWorkDir('search-map');
    const { project } = await embeddedTwoRegionProject(workDir);
    session = await startBrowserSession(project);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('searches from a clicked tile, then labels the selected results', async () => {
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1400, height: 900 }, { cspMessages: true, badResponse: httpErrorsExcept() });
    await page.goto(session!.server.url);
    await page.getByTestId('nav-search').click();
    await page.waitForURL(/#\/search$/);
    const viewer = page.getByTestId('search-viewer');
    await expect.poll(async () => Number(await viewer.getAttribute('data-tiles-loaded')), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('search-k').fill('12');

    // A click on the dark left half: the twelve nearest tiles are all on the left half too.
    const box = (await viewer.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await expect.poll(() => page.getByTestId('search-status').textContent(), { timeout: 30_000 }).toMatch(/12 most similar of 128 tiles/);
    const cards = page.getByTestId('tile-card');
    expect(await cards.count()).toBe(12);
    const similarities = (await page.getByTestId('tile-similarity').allTextContents()).map(Number);
    expect(similarities[0]).toBeCloseTo(1, 2);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
    expect(await page.getByTestId('search-query').textContent()).toMatch(/^Query: tile \d+\.$/);
    const results = await api<{ results: Array<{ tileId: number; x: number }> }>('search.run', { backbone: 'lin', query: { kind: 'tile', tileId: Number(await cards.first().getAttribute('data-tile-id')) }, k: 12 });
    expect(results.results.every((r) => r.x < 256)).toBe(true);

    // Open the best result in the viewer, at its location.
    await page.getByTestId('tile-open').first().click();
    await expect.poll(() => viewer.getAttribute('data-focus')).toMatch(/^\d+:\d+,\d+$/);

    // Select all and label them as tumour in one action.
    await page.getByTestId('search-select-all').click();
    expect(await page.getByTestId('selection-count').textContent()).toBe('12 selected');
    await page.getByTestId('label-task').selectOption('tumour');
    await page.getByTestId('label-as-tumour').click();
    await expect.poll(() => page.getByTestId('label-done').textContent(), { timeout: 20_000 }).toBe('Labelled 12 tiles as tumour in tumour.');
    expect(await page.getByTestId('tile-label').count()).toBe(12);
    expect(await labelsOf('tumour')).toHaveLength(12);
    const labelled = await api<Array<{ source: string }>>('audit.list', { action: 'labels.search' });
    expect(labelled.length).toBe(1);

    // "Similar" on a result searches from that stored tile; with "only unlabelled" the twelve just labelled are left out.
    const labelledIds = await cards.evaluateAll((els) => els.map((el) => el.getAttribute('data-tile-id')));
    await page.getByTestId('search-only-unlabelled').check();
    await page.getByTestId('tile-similar').first().click();
    await expect.poll(async () => (await cards.evaluateAll((els) => els.map((el) => el.getAttribute('data-tile-id')))).some((id) => labelledIds.includes(id)), { timeout: 30_000 }).toBe(false);
    expect(await cards.count()).toBe(12);
    expect(await page.getByTestId('tile-label').count()).toBe(0);

    // A shift-drag draws a region: the query is the mean of the tiles under it.
    await page.getByTestId('search-only-unlabelled').uncheck();
    const region = (await viewer.boundingBox())!;
    await page.keyboard.down('Shift');
    await page.mouse.move(region.x + region.width * 0.6, region.y + region.height * 0.45);
    await page.mouse.down();
    await page.mouse.move(region.x + region.width * 0.7, region.y + region.height * 0.55, { steps: 6 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect.poll(() => page.getByTestId('search-query').textContent(), { timeout: 30_000 }).toMatch(/^Query: mean of \d+ tiles\.$/);

    expect(problems).toEqual([]);
    expect(await cspViolations()).toEqual([]);
    await context.close();
  });

  it('computes the map as a job, hovers a point, lassoes a region and labels it', async () => {
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1400, height: 900 }, { cspMessages: true, badResponse: httpErrorsExcept() });
    await page.goto(session!.server.url);
    await page.getByTestId('nav-map').click();
    await page.waitForURL(/#\/map$/);
    await page.getByTestId('map-compute').click();
    await expect.poll(() => page.getByTestId('map-method').textContent(), { timeout: 90_000 }).toMatch(/^128 tiles · UMAP of all 128 tiles/);
    const plot = page.getByTestId('map-plot');
    await expect.poll(() => plot.getAttribute('data-renderer'), { timeout: 20_000 }).toMatch(/^(webgl|canvas)$/);
    expect(await plot.getAttribute('data-points')).toBe('128');

    // Where each point is drawn: the plot fits all points with a margin (see MapScatter's fittedView).
    const map = await api<{ tileIds: number[]; x: number[]; y: number[] }>('map.get', { backbone: 'lin' });
    const box = (await plot.boundingBox())!;
    const inner = await plot.evaluate((el) => ({ width: el.clientWidth, height: el.clientHeight }));
    const [minX, maxX, minY, maxY] = [Math.min(...map.x), Math.max(...map.x), Math.min(...map.y), Math.max(...map.y)];
    const scale = 0.85 / Math.max((maxX - minX) / inner.width, (maxY - minY) / inner.height);
    const screen = (i: number) => [box.x + 1 + (map.x[i]! - (minX + maxX) / 2) * scale + inner.width / 2, box.y + 1 + (map.y[i]! - (minY + maxY) / 2) * scale + inner.height / 2] as const;

    // Hover shows the tile.
    const [hx, hy] = screen(0);
    await page.mouse.move(hx, hy);
    await expect.poll(() => page.getByTestId('map-hover').textContent(), { timeout: 20_000 }).toMatch(/two-regions\.tif \(\d+, \d+\)/);

    // A lasso around the left half of the plot selects exactly the points drawn there.
    await page.getByTestId('map-lasso').click();
    const polygon = [[box.x + 5, box.y + 5], [box.x + box.width / 2, box.y + 5], [box.x + box.width / 2, box.y + box.height - 5], [box.x + 5, box.y + box.height - 5]] as const;
    const expected = map.tileIds.filter((_, i) => {
      const [sx] = screen(i);
      const [, sy] = screen(i);
      return sx > polygon[0][0] && sx < polygon[1][0] && sy > polygon[0][1] && sy < polygon[2][1];
    });
    expect(expected.length).toBeGreaterThan(0);
    await page.mouse.move(polygon[0][0], polygon[0][1]);
    await page.mouse.down();
    for (const [x, y] of [...polygon.slice(1), polygon[0]]) await page.mouse.move(x, y, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('map-selection').textContent(), { timeout: 20_000 }).toContain(`${expected.length} tiles selected`);
    await expect.poll(() => page.getByTestId('tile-card').count(), { timeout: 20_000 }).toBe(expected.length);

    await page.getByTestId('label-task').selectOption('tumour');
    await page.getByTestId('label-as-stroma').click();
    await expect.poll(() => page.getByTestId('label-done').textContent(), { timeout: 20_000 }).toBe(`Labelled ${expected.length} tiles as stroma in tumour.`);
    expect(await labelsOf('stroma')).toHaveLength(expected.length);

    expect(problems).toEqual([]);
    expect(await cspViolations()).toEqual([]);
    await context.close();
  });
});
