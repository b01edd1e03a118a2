import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedProject, type TrainedProject } from '../core/slides-library/predicted-project';
import { callApi, httpErrorsExcept, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * Annotation in the slide viewer, in Chromium against `histo serve`, at both window sizes the issue
 * names: the scale bar and magnification, a rectangle, a polygon and a brush stroke drawn with the
 * mouse become labels of the task (source `viewer`), undo and delete take them back, a click labels
 * one tile, and a training run started afterwards trains on them.
 */
describe('annotation in the browser against histo serve', () => {
  let workDir: string;
  let trained: TrainedProject;
  let session: BrowserSession | undefined;
  const api = <T>(method: string, body: unknown): Promise<T> => callApi<T>(session!, method, body);

  async function labelCounts(): Promise<Record<string, number>> {
    const tasks = await api<Array<{ name: string; labels: { perClass: Record<string, number> } }>>('task.list', {});
    return tasks.find((t) => t.name === 'tumour')!.labels.perClass;
  }
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  async function viewerLabels(): Promise<number> {
    const audit = await api<Array<{ action: string }>>('audit.list', {});
    return audit.filter((a) => a.action.startsWith('annotation.') || a.action === 'labels.viewer').length;
  }

  async function openSlide(page: Page): Promise<void> {
    await page.goto(session!.server.url);
    await page.getByRole('button', { name: 'View two-regions.tif' }).click();
    const viewer = page.getByTestId('slide-viewer');
    await expect.poll(async () => Number(await viewer.getAttribute('data-tiles-loaded')), { timeout: 30_000 }).toBeGreaterThan(0);
    // The home view has settled once the scale stops changing.
    await expect.poll(() => page.getByTestId('viewer-magnification').textContent(), { timeout: 10_000 }).toMatch(/^\d+(\.\d)?×$/);
    await page.waitForTimeout(800);
  }

  /** A drag in viewer fractions (0..1 of its box). */
  async function drag(page: Page, from: [number, number], to: [number, number], steps = 8): Promise<void> {
    const box = (await page.getByTestId('slide-viewer').boundingBox())!;
    await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps });
    await page.mouse.up();
  }

  async function click(page: Page, at: [number, number], clickCount = 1): Promise<void> {
    const box = (await page.getByTestId('slide-viewer').boundingBox())!;
    await page.mouse.click(box.x + box.width * at[0], box.y + box.height * at[1], { clickCount });
  }

  beforeAll(async () => {
    workDir = makeWorkDir('annotation');
    trained = await trainedProject(workDir);
    session = await startBrowserSession(trained.project);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('draws a rectangle, undoes it, draws a polygon and labels a tile at 1600 x 1000; training uses the labels', async () => {
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1600, height: 1000 }, { cspMessages: true, badResponse: httpErrorsExcept() });
    await openSlide(page);
    // The slide is 0.5 µm/px: the bar is a round length in µm and the view a microscope magnification.
    expect(await page.getByTestId('viewer-scale').textContent()).toMatch(/\d+ µm/);
    const before = await labelCounts();

    await page.getByTestId('annotation-task').selectOption('tumour');
    await page.getByTestId('annotation-class').selectOption('tumour');
    await page.getByTestId('annotation-tool-rectangle').click();
    // Over the dark left half of the slide (which fills the viewer's width at the home zoom).
    await drag(page, [0.2, 0.35], [0.4, 0.65]);
    await expect.poll(() => page.getByTestId('annotation-count').textContent(), { timeout: 20_000 }).toBe('1 annotation');
    const drawn = await api<Array<{ tiles: number; kind: string }>>('annotation.list', { task: 'tumour', slideId: 1 });
    expect(drawn.map((a) => a.kind)).toEqual(['rectangle']);
    expect(drawn[0]!.tiles).toBeGreaterThan(0);
    expect(await page.getByTestId('annotation-status').textContent()).toBe(`${drawn[0]!.tiles} tiles labelled tumour`);
    await expect.poll(async () => total(await labelCounts())).toBeGreaterThan(total(before));

    // Undo takes the rectangle and its labels back.
    await page.getByTestId('annotation-undo').click();
    await expect.poll(() => page.getByTestId('annotation-count').textContent(), { timeout: 20_000 }).toBe('0 annotations');
    expect(await labelCounts()).toEqual(before);

    // A polygon over the pale right half, as stroma: three corners, then a double-click closes it.
    await page.getByTestId('annotation-class').selectOption('stroma');
    await page.getByTestId('annotation-tool-polygon').click();
    await click(page, [0.62, 0.3]);
    await click(page, [0.85, 0.3]);
    await click(page, [0.85, 0.7]);
    await click(page, [0.62, 0.7], 2);
    await expect.poll(() => page.getByTestId('annotation-count').textContent(), { timeout: 20_000 }).toBe('1 annotation');
    const polygon = (await api<Array<{ id: number; tiles: number; kind: string; className: string }>>('annotation.list', { task: 'tumour', slideId: 1 }))[0]!;
    expect([polygon.kind, polygon.className]).toEqual(['polygon', 'stroma']);
    expect(polygon.tiles).toBeGreaterThan(4);

    // The tile tool labels the one tile clicked.
    await page.getByTestId('annotation-class').selectOption('tumour');
    await page.getByTestId('annotation-tool-tile').click();
    await click(page, [0.1, 0.5]);
    await expect.poll(() => page.getByTestId('annotation-status').textContent(), { timeout: 20_000 }).toBe('Tile labelled tumour');
    // The viewer draws every label of the task on the slide: the CLI's twelve, the polygon's and the click's.
    await expect.poll(async () => Number(await page.getByTestId('slide-viewer').getAttribute('data-labelled-tiles')), { timeout: 20_000 }).toBe(total(await labelCounts()));

    // Select the polygon with the pan tool, reclassify it, then put it back with undo.
    await page.getByTestId('annotation-tool-pan').click();
    await click(page, [0.75, 0.5]);
    await expect.poll(() => page.getByTestId('annotation-selected').textContent()).toContain(`${polygon.tiles} tiles`);
    await page.getByTestId('annotation-selected').locator('select').selectOption('tumour');
    await expect.poll(async () => (await api<Array<{ className: string }>>('annotation.list', { task: 'tumour', slideId: 1 }))[0]!.className).toBe('tumour');
    await page.getByTestId('annotation-undo').click();
    await expect.poll(async () => (await api<Array<{ className: string }>>('annotation.list', { task: 'tumour', slideId: 1 }))[0]!.className).toBe('stroma');
    expect(await viewerLabels()).toBeGreaterThanOrEqual(5);

    // Drag the selected polygon down a little: its corners move, and undo puts them back.
    type Listed = Array<{ polygons: number[][][][] }>;
    const cornerOf = async () => (await api<Listed>('annotation.list', { task: 'tumour', slideId: 1 }))[0]!.polygons[0]![0]![0]!;
    const corner = await cornerOf();
    await drag(page, [0.75, 0.5], [0.75, 0.6]);
    await expect.poll(async () => (await cornerOf())[1]!, { timeout: 20_000 }).toBeGreaterThan(corner[1]! + 5);
    expect((await cornerOf())[0]).toBeCloseTo(corner[0]!, 0);
    await page.getByTestId('annotation-undo').click();
    await expect.poll(async () => (await cornerOf())[1], { timeout: 20_000 }).toBeCloseTo(corner[1]!, 5);

    const after = await labelCounts();
    expect(total(after)).toBeGreaterThanOrEqual(total(before) + polygon.tiles);
    await page.screenshot({ path: path.join(resultsDir, 'annotation-1600x1000.png') });

    // A training run started now trains on every label, the drawn ones included.
    const { jobId } = await api<{ jobId: string }>('train.start', { task: 'tumour', backbone: 'lin', kind: 'logreg', folds: 2, group: 'none' });
    let outcome: { state: string; result: { data: { tiles: number; perClass: Record<string, number> } } | null } | null = null;
    await expect
      .poll(
        async () => {
          outcome = await api('job.result', { jobId });
          return outcome?.state;
        },
        { timeout: 60_000 },
      )
      .toBe('done');
    expect(outcome!.result!.data.tiles).toBe(total(after));
    expect(outcome!.result!.data.perClass).toEqual(after);

    expect(problems).toEqual([]);
    expect(await cspViolations()).toEqual([]);
    await context.close();
  });

  it('paints with the brush and deletes at 1280 x 800, with the viewer filling the window on demand', async () => {
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1280, height: 800 }, { cspMessages: true, badResponse: httpErrorsExcept() });
    await openSlide(page);
    const before = await labelCounts();
    await page.getByTestId('annotation-task').selectOption('tumour');
    await page.getByTestId('annotation-class').selectOption('tumour');
    await page.getByTestId('annotation-tool-brush').click();
    await page.getByLabel('Brush radius in screen pixels').fill('60');
    await drag(page, [0.15, 0.5], [0.4, 0.5], 12);
    await expect.poll(async () => (await api<Array<{ kind: string }>>('annotation.list', { task: 'tumour', slideId: 1 })).some((a) => a.kind === 'brush'), { timeout: 20_000 }).toBe(true);
    const brush = (await api<Array<{ id: number; kind: string; tiles: number }>>('annotation.list', { task: 'tumour', slideId: 1 })).find((a) => a.kind === 'brush')!;
    expect(brush.tiles).toBeGreaterThan(0);

    // Select it with the pan tool and delete it with the Delete key.
    await page.getByTestId('annotation-tool-pan').click();
    await click(page, [0.3, 0.5]);
    await expect.poll(() => page.getByTestId('annotation-selected').textContent()).toContain('brush');
    await page.getByTestId('annotation-delete').click();
    await expect.poll(async () => (await api<Array<{ kind: string }>>('annotation.list', { task: 'tumour', slideId: 1 })).some((a) => a.kind === 'brush'), { timeout: 20_000 }).toBe(false);
    // The tiles the brush alone labelled lose their label; the click-labelled tile and the polygon's stay.
    const after = await labelCounts();
    expect(total(after)).toBeLessThanOrEqual(total(before));
    expect(after.stroma).toBe(before.stroma);

    // Maximise: the viewer fills the window; Escape gives the page back.
    await page.getByTestId('viewer-maximise').click();
    await expect.poll(async () => (await page.getByTestId('slide-viewer').boundingBox())!.width).toBeGreaterThan(1200);
    await page.screenshot({ path: path.join(resultsDir, 'annotation-maximised-1280x800.png') });
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await page.getByTestId('slide-viewer').boundingBox())!.width).toBeLessThan(1100);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.screenshot({ path: path.join(resultsDir, 'annotation-1280x800.png') });

    expect(problems).toEqual([]);
    expect(await cspViolations()).toEqual([]);
    await context.close();
  });
});
