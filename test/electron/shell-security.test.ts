import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dispatch } from '../../src-main/core/dispatch';
import { createIpcCallHandler, type IpcCallEvent } from '../../src-main/electron/ipc-handler';
import { decidePermission, isAllowedNavigation, isAllowedRequest, secureWebPreferences } from '../../src-main/electron/window-security';
import { contentSecurityPolicy } from '../../src-shared/security/content-security-policy';
import { HistoCore } from '../../src-main/core/histo-core';

const indexUrl = 'file:///opt/histo/resources/app/dist/renderer/index.html';

describe('Electron shell security', () => {
  it('opens windows isolated, sandboxed, without node', () => {
    const prefs = secureWebPreferences('/x/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/x/preload.cjs',
    });
  });

  it('allows navigation only to its own page', () => {
    expect(isAllowedNavigation(`${indexUrl}#/settings`, indexUrl)).toBe(true);
    expect(isAllowedNavigation('https://example.org/', indexUrl)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', indexUrl)).toBe(false);
    expect(isAllowedNavigation('not a url', indexUrl)).toBe(false);
  });

  it('lets requests reach only local resources', () => {
    for (const url of [indexUrl, 'histo://tile/1/0/0/0', 'http://127.0.0.1:8080/x', 'ws://localhost:3000/', 'data:image/png;base64,AA==']) {
      expect(isAllowedRequest(url), url).toBe(true);
    }
    for (const url of ['https://example.org/', 'http://10.0.0.5/', 'wss://cdn.example/socket', 'ftp://127.0.0.1/', 'garbage']) {
      expect(isAllowedRequest(url), url).toBe(false);
    }
  });

  it('denies every permission request', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      expect(decidePermission(permission)).toBe(false);
    }
  });

  it('has a strict CSP: own scripts only, no eval, no plugins, no framing', () => {
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    expect(contentSecurityPolicy).toContain("object-src 'none'");
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'");
  });

  it('writes the same CSP into the built renderer page (file:// in Electron has no headers)', () => {
    const html = fs.readFileSync(path.resolve(__dirname, '../../dist/renderer/index.html'), 'utf8').replaceAll('&#39;', "'");
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(contentSecurityPolicy.replace("; frame-ancestors 'none'", ''));
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });
});

describe('the IPC handle()', () => {
  const ownWindow: IpcCallEvent = { senderFrame: { url: indexUrl }, sender: { id: 1 } };
  const stranger: IpcCallEvent = { senderFrame: { url: 'https://evil.example/' }, sender: { id: 7 } };
  const trusted = (event: IpcCallEvent) => event.sender.id === 1 && event.senderFrame?.url === indexUrl;

  it('drops calls from other senders before dispatching', async () => {
    const seen: unknown[] = [];
    const dispatch: Dispatch = async (method) => (seen.push(method), { ok: true, result: null });
    const handle = createIpcCallHandler(dispatch, trusted);
    expect(await handle(stranger, 'project.close', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(seen).toEqual([]);
    expect(await handle(ownWindow, 'project.close', {})).toEqual({ ok: true, result: null });
    expect(seen).toEqual(['project.close']);
  });

  it('validates every method of the real core and serialises errors', async () => {
    const core = new HistoCore({ HISTO_HOME: '/nonexistent' });
    const handle = createIpcCallHandler(core.dispatch, trusted);
    try {
      expect(await handle(ownWindow, 'project.open', { path: ['x'] })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(await handle(ownWindow, 'project.open', { path: '/nonexistent/p.histo' })).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: '/nonexistent/p.histo: no such project file' },
      });
      expect(await handle(ownWindow, 'shell.exec', { cmd: 'rm -rf /' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
      const info = await handle(ownWindow, 'app.info', {});
      expect(info.ok && (info.result as { executionProviders: string[] }).executionProviders).toContain('cpu');
    } finally {
      core.close();
    }
  });
});
