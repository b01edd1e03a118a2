import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCount } from '../helpers/audit-count';
import { cli, makeWorkDir, removeWorkDir, startBrowserSession, type BrowserSession } from './browser-session';

/**
 * A page served by another program on another port of 127.0.0.1 (the same *site* to Chromium, so
 * the SameSite=Strict token cookie goes along) tries to make `histo serve` open another project:
 * by a text/plain form POST and by a `fetch` with `mode: 'no-cors'`. Neither may have any effect.
 */
describe('cross-origin writes from a page on another local port', () => {
  let workDir: string;
  let projectFile: string;
  let otherProject: string;
  let session: BrowserSession | undefined;
  let evil: http.Server;
  let evilOrigin: string;

  beforeAll(async () => {
    workDir = makeWorkDir('cross-origin');
    projectFile = path.join(workDir, 'victim.histo');
    // An '=' in the name lets a text/plain form spell exactly {"path":"…"}: name=value.
    otherProject = path.join(workDir, 'other=project.histo');
    cli(['project', 'create', projectFile]);
    cli(['project', 'create', otherProject]);
    session = await startBrowserSession(projectFile);
    const target = `http://127.0.0.1:${session.server.port}/api/call/project.open`;
    // A text/plain form whose body is the JSON the contract accepts, split at the '=' of the path.
    const [formName, formValue] = JSON.stringify({ path: otherProject }).split('=');
    const pages: Record<string, string> = {
      '/form.html': `<!doctype html><form id="f" method="POST" enctype="text/plain" action="${target}">
        <input type="hidden" name='${formName}' value='${formValue}'></form><script>document.getElementById('f').submit()</script>`,
      '/fetch.html': `<!doctype html><script>
        window.done = fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
          headers: { 'Content-Type': 'text/plain' }, body: ${JSON.stringify(JSON.stringify({ path: otherProject }))} })
          .then((r) => 'sent: ' + r.type, (e) => 'failed: ' + e.message);
      </script>`,
    };
    evil = http.createServer((req, res) => {
      const page = pages[req.url ?? ''];
      res.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html' }).end(page ?? 'no');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await session?.close();
    await new Promise((resolve) => evil?.close(resolve));
    removeWorkDir(workDir);
  });

  it('a form POST and a no-cors fetch reach the server with the cookie and are refused without effect', async () => {
    const context = await session!.browser.newContext();
    const page = await context.newPage();
    // The user opened the app before: the browser holds the token cookie.
    await page.goto(session!.server.url);
    await expect.poll(() => page.getByTestId('project-path').textContent()).toBe(projectFile);
    expect((await context.cookies()).map((c) => c.name)).toContain('histo_token');
    const auditBefore = [auditCount(projectFile), auditCount(otherProject)];

    const answers: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/call/project.open')) answers.push(response.status());
    });
    await page.goto(`${evilOrigin}/form.html`);
    await page.waitForURL(/api\/call\/project\.open/);
    expect(answers).toEqual([403]);

    await page.goto(`${evilOrigin}/fetch.html`);
    // Sent either way; Chromium then hides the answer (opaque) or drops it (our
    // Cross-Origin-Resource-Policy), so only the project's state can tell whether it ran.
    expect(await page.evaluate('window.done')).toMatch(/^(sent: opaque|failed: )/);

    const current = await page.request.post(`http://127.0.0.1:${session!.server.port}/api/call/project.current`, {
      headers: { 'Content-Type': 'application/json', 'X-Histo-Token': session!.server.token },
      data: {},
    });
    expect(((await current.json()) as { result: { path: string } }).result.path).toBe(projectFile);
    expect([auditCount(projectFile), auditCount(otherProject)]).toEqual(auditBefore);

    // The real renderer, on its own origin, still works after all this.
    await page.goto(`http://127.0.0.1:${session!.server.port}/`);
    await expect.poll(() => page.getByTestId('project-path').textContent()).toBe(projectFile);
    await context.close();
  });
});
