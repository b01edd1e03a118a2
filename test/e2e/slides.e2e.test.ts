import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePatchPng, writeTissueTiff } from '../core/slides-library/generated-slides';

/**
 * The Slides area in Chromium against `histo serve`: import a folder, see the slides listed,
 * set a missing resolution, open the deep-zoom viewer (tiles from the token-guarded tile route)
 * and toggle the tissue and tile-grid overlays.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const histoBin = path.join(root, 'bin', 'histo.cjs');
const chromiumPath = process.env.HISTO_CHROMIUM ?? '/usr/bin/chromium';
const resultsDir = path.join(root, 'test-results');

interface ServeInfo {
  url: string;
  port: number;
  token: string;
}

function waitForServeInfo(child: ChildProcess, timeoutMs: number): Promise<ServeInfo> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`histo serve ${why}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no JSON line within ${timeoutMs} ms`), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, newline)) as ServeInfo);
      } catch {
        fail(`printed something that is not JSON: ${stdout.slice(0, newline)}`);
      }
    });
    child.once('exit', (code) => fail(`exited with code ${code} before listening`));
  });
}

/** Console errors, page errors, failed requests and non-2xx slide images of a page. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(text)) problems.push(`console ${message.type()}: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (/\/slides\//.test(response.url()) && response.status() !== 200) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

const recordCspViolations = `
  globalThis.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    globalThis.__cspViolations.push(event.violatedDirective + ' blocked ' + event.blockedURI);
  });
`;

describe('Slides in the browser against histo serve', () => {
  let workDir: string;
  let slidesDir: string;
  let server: ChildProcess | undefined;
  let serveInfo: ServeInfo;
  let browser: Browser | undefined;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-e2e-slides-'));
    const projectFile = path.join(workDir, 'slides.histo');
    execFileSync(process.execPath, [histoBin, 'project', 'create', projectFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    slidesDir = path.join(workDir, 'incoming');
    fs.mkdirSync(path.join(slidesDir, 'patches'), { recursive: true });
    await writeTissueTiff(path.join(slidesDir, 'section-HE.tif'), { width: 6000, height: 4000, mpp: 0.5 });
    await writePatchPng(path.join(slidesDir, 'patches', 'patch-001.png'), 640, 480);
    fs.writeFileSync(path.join(slidesDir, 'broken.svs'), 'this is not a slide');

    server = spawn(process.execPath, [histoBin, 'serve', '--port', '0', '--json', '--project', projectFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    serveInfo = await waitForServeInfo(server, 30_000);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    fs.mkdirSync(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('imports a folder, lists the slides, sets a missing mpp, and views a slide with its overlays', async () => {
    const context = await browser!.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(recordCspViolations);
    const page = await context.newPage();
    const problems = watchProblems(page);
    const tileResponses: string[] = [];
    page.on('response', (response) => {
      if (/\/slides\/\d+\/tiles\/\d+\/\d+_\d+\.jpg/.test(response.url()) && response.status() === 200) tileResponses.push(response.url());
    });

    await page.goto(serveInfo.url);
    await page.waitForURL(/#\/slides$/);
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('0 in project');

    await page.getByLabel('Import', { exact: true }).fill(slidesDir);
    await page.getByRole('button', { name: 'Import slides from this path' }).click();
    const result = page.getByTestId('import-result');
    await expect.poll(() => result.textContent()).toContain('2 slides imported, 1 could not be read');
    expect(await result.textContent()).toContain(path.join(slidesDir, 'broken.svs'));
    await expect.poll(() => page.getByTestId('slide-count').textContent()).toBe('2 in project');

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
    expect(await page.evaluate('globalThis.__cspViolations ?? []')).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
