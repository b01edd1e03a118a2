import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli';
import { cli, makeWorkDir, openWatchedPage, removeWorkDir, resultsDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * The real renderer in Chromium against the real core: `histo serve` on 127.0.0.1, the built
 * dist/renderer, the HTTP/WebSocket bridge and the token handshake, exactly as a user runs it.
 */
const packageVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('About (Settings) in the browser against histo serve', () => {
  let workDir: string;
  let projectFile: string;
  let session: BrowserSession | undefined;

  beforeAll(async () => {
    workDir = makeWorkDir('about');
    projectFile = path.join(workDir, 'about.histo');
    cli(['project', 'create', projectFile]);
    session = await startBrowserSession(projectFile);
    expect(session.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  });

  afterAll(async () => {
    await session?.close();
    removeWorkDir(workDir);
  });

  it('shows the version, the cpu provider and the open project, with no console errors or CSP violations', async () => {
    const { context, page, problems, cspViolations } = await openWatchedPage(session!.browser, { width: 1280, height: 800 }, { cspMessages: true });

    await page.goto(session!.server.url);
    await expect.poll(() => page.getByTestId('project-path').textContent()).toBe(projectFile);
    // The token moved to sessionStorage (and the HttpOnly cookie) instead of staying in the address bar.
    expect(page.url()).not.toContain('token=');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/#\/settings$/);
    await expect.poll(() => page.getByTestId('app-version').textContent()).toBe(packageVersion);
    expect(await page.getByTestId('provider-cpu').isVisible()).toBe(true);
    expect(await page.getByTestId('app-project-path').textContent()).toBe(projectFile);
    // The project's audit trail is shown under About: creating the project is its first entry.
    await expect.poll(() => page.locator('[data-testid="audit-table"] [data-action="project.create"]').count()).toBe(1);

    await page.screenshot({ path: path.join(resultsDir, 'about.png'), fullPage: true });

    // A reload without ?token= still works: the cookie and sessionStorage carry the session.
    await page.reload();
    await expect.poll(() => page.getByTestId('app-version').textContent()).toBe(packageVersion);

    expect(await cspViolations()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reports a project that cannot be opened inline in the project bar', async () => {
    const { context, page, problems } = await openWatchedPage(session!.browser, { width: 1280, height: 800 }, { cspMessages: true });
    await page.goto(session!.server.url);
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
