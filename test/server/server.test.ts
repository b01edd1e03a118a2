import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHisto, serveHisto, type ServedHisto } from '../helpers/run-cli';
import { fileDigest } from '../helpers/file-digest';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

describe('histo serve', () => {
  let server: ServedHisto;
  let dir: string;
  let project: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-serve-'));
    project = path.join(dir, 'served.histo');
    expect(runHisto(['project', 'create', project]).code).toBe(0);
    server = await serveHisto(['--project', project]);
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: string, body: unknown, headers: Record<string, string> = { 'X-Histo-Token': server.token }) =>
    fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('listens on 127.0.0.1 only, with a token in the printed URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('answers 401 without the token, with a wrong one, and for a foreign Host', async () => {
    expect((await api('app.info', {}, {})).status).toBe(401);
    expect((await api('app.info', {}, { 'X-Histo-Token': 'guess' })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/index.html`)).status).toBe(401);
    // fetch() may not set Host; a DNS-rebinding page would reach us under a foreign name like this.
    const reboundStatus = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: `/api/call/app.info?token=${server.token}`, headers: { Host: 'evil.example' } },
        (res) => (res.resume(), resolve(res.statusCode)),
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(reboundStatus).toBe(401);
  });

  it('serves the contract with the token', async () => {
    const response = await api('app.info', {});
    expect(response.status).toBe(200);
    const envelope = (await response.json()) as { ok: boolean; result: { executionProviders: string[]; projectPath: string } };
    expect(envelope.ok).toBe(true);
    expect(envelope.result.executionProviders).toContain('cpu');
    expect(envelope.result.projectPath).toBe(project);
    const current = (await (await api('project.current', {})).json()) as { result: { path: string } };
    expect(current.result.path).toBe(project);
  });

  it('rejects malformed input with a validation error and leaves the project file unchanged', async () => {
    const db = new Database(project, { readonly: true });
    const auditBefore = db.prepare('SELECT count(*) AS n FROM audit_log').get();
    db.close();
    const before = fileDigest(project);
    for (const [method, body] of [
      ['project.create', { path: 42 }],
      ['project.open', { path: '' }],
      ['project.create', { path: path.join(dir, 'x.histo'), extra: 1 }],
      ['project.open', '{not json'],
      ['project.open', []],
    ] as const) {
      const response = await api(method, body);
      const envelope: unknown = await response.json();
      expect(response.status, `${method} ${JSON.stringify(body)}`).toBe(400);
      expect(envelope).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(((await (await api('no.such.method', {})).json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_METHOD');
    expect(fileDigest(project)).toBe(before);
    expect(fs.existsSync(path.join(dir, 'x.histo'))).toBe(false);
    const after = new Database(project, { readonly: true });
    expect(after.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual(auditBefore);
    after.close();
    // The server still holds the same project.
    expect(((await (await api('project.current', {})).json()) as { result: { path: string } }).result.path).toBe(project);
  });

  it('refuses event sockets without the token and accepts them with it', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
    await expect(new Promise((resolve, reject) => (refused.on('open', resolve), refused.on('error', reject)))).rejects.toThrow(/401/);
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
    await new Promise((resolve, reject) => (socket.on('open', resolve), socket.on('error', reject)));
    socket.close();
  });

  it('sets a strict Content-Security-Policy on what it serves', async () => {
    const response = await fetch(server.url);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });
});

describe('histo serve with a bad project', () => {
  it('fails with exit 1 naming the file', () => {
    const file = path.join(tempDir(), 'broken.histo');
    fs.writeFileSync(file, 'garbage');
    const result = runHisto(['serve', '--project', file, '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: not a Histo Workstation project`);
  });
});
