import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real renderer in Chromium against the real core: `histo serve` on 127.0.0.1, the built
 * dist/renderer, the HTTP/WebSocket bridge and the token handshake, exactly as a user runs it.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const histoBin = path.join(root, 'bin', 'histo.cjs');
const chromiumPath = process.env.HISTO_CHROMIUM ?? '/usr/bin/chromium';
const resultsDir = path.join(root, 'test-results');
const packageVersion = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

interface ServeInfo {
  url: string;
  port: number;
  token: string;
}

/** Waits for the one JSON line `histo serve --json` prints once it listens; fails with its stderr otherwise. */
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

/** Collects console errors, page errors, failed requests and CSP violations of a page. */
function watchProblems(page: Page): { problems: string[]; cspViolations: () => Promise<string[]> } {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(text)) problems.push(`console ${message.type()}: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  return {
    problems,
    cspViolations: () => page.evaluate('globalThis.__cspViolations ?? []') as Promise<string[]>,
  };
}

// Runs in the page before any of its scripts; init scripts are injected by the browser, not subject to CSP.
const recordCspViolations = `
  globalThis.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    globalThis.__cspViolations.push(event.violatedDirective + ' blocked ' + event.blockedURI);
  });
`;

describe('About (Settings) in the browser against histo serve', () => {
  let workDir: string;
  let projectFile: string;
  let server: ChildProcess | undefined;
  let serveInfo: ServeInfo;
  let browser: Browser | undefined;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-e2e-about-'));
    projectFile = path.join(workDir, 'about.histo');
    execFileSync(process.execPath, [histoBin, 'project', 'create', projectFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });

    server = spawn(process.execPath, [histoBin, 'serve', '--port', '0', '--json', '--project', projectFile], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serveInfo = await waitForServeInfo(server, 30_000);
    expect(serveInfo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);

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

  it('shows the version, the cpu provider and the open project, with no console errors or CSP violations', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(recordCspViolations);
    const page = await context.newPage();
    const { problems, cspViolations } = watchProblems(page);

    await page.goto(serveInfo.url);
    await expect.poll(() => page.getByTestId('project-path').textContent()).toBe(projectFile);
    // The token moved to sessionStorage (and the HttpOnly cookie) instead of staying in the address bar.
    expect(page.url()).not.toContain('token=');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/#\/settings$/);
    await expect.poll(() => page.getByTestId('app-version').textContent()).toBe(packageVersion);
    expect(await page.getByTestId('provider-cpu').isVisible()).toBe(true);
    expect(await page.getByTestId('app-project-path').textContent()).toBe(projectFile);

    await page.screenshot({ path: path.join(resultsDir, 'about.png'), fullPage: true });

    // A reload without ?token= still works: the cookie and sessionStorage carry the session.
    await page.reload();
    await expect.poll(() => page.getByTestId('app-version').textContent()).toBe(packageVersion);

    expect(await cspViolations()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reports a project that cannot be opened inline in the project bar', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const { problems } = watchProblems(page);
    await page.goto(serveInfo.url);
    await expect.poll(() => page.getByTestId('project-path').textContent()).toBe(projectFile);

    await page.getByRole('button', { name: 'Close project' }).click();
    const missing = path.join(workDir, 'missing.histo');
    await page.getByLabel('Project file').fill(missing);
    await page.getByRole('button', { name: 'Open the project at this path' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain(missing);
    await page.screenshot({ path: path.join(resultsDir, 'project-error.png') });

    await page.getByRole('button', { name: 'Create a new project at this path' }).click();
    await expect.poll(() => page.getByTestId('project-path').textContent()).toBe(missing);
    expect(await alert.count()).toBe(0);

    // Chromium logs every non-2xx fetch; the refused open is expected, anything else is not.
    expect(problems.filter((p) => !/status of 40\d/.test(p))).toEqual([]);
    await context.close();
  });
});
