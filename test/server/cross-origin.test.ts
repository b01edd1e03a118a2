import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCount } from '../helpers/audit-count';
import { runHisto, serveHisto, type ServedHisto } from '../helpers/run-cli';

/**
 * The attacks a page served by another local program (any port of 127.0.0.1 is the same site, so
 * the SameSite=Strict cookie goes along) or a remote page can mount on `histo serve`: each must be
 * refused before the core sees it, and none may leave a trace in the project.
 */
describe('histo serve: one origin, bounded input', () => {
  let server: ServedHisto;
  let dir: string;
  let project: string;
  let other: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-origin-'));
    project = path.join(dir, 'served.histo');
    other = path.join(dir, 'other.histo');
    expect(runHisto(['project', 'create', project]).code).toBe(0);
    expect(runHisto(['project', 'create', other]).code).toBe(0);
    server = await serveHisto(['--project', project]);
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A raw request: fetch() would refuse to set some of these headers, a browser or a script would not. */
  function send(options: { path: string; method?: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<number> {
    return new Promise((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, method: options.method ?? 'POST', path: options.path, headers: options.headers },
        (res) => (res.resume(), resolve(res.statusCode ?? 0)),
      );
      // The server may cut an oversized upload short; the status it sent first is the answer.
      req.on('error', () => resolve(-1));
      req.end(options.body);
    });
  }

  const cookie = () => `histo_token=${server.token}`;
  const currentProject = async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/api/call/project.current`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Histo-Token': server.token },
      body: '{}',
    });
    return ((await response.json()) as { result: { path: string } | null }).result?.path;
  };

  it('refuses a text/plain POST carrying only the cookie (a form or no-cors fetch from another port)', async () => {
    const before = auditCount(other);
    const status = await send({
      path: '/api/call/project.open',
      headers: { Cookie: cookie(), 'Content-Type': 'text/plain', Origin: `http://127.0.0.1:${server.port + 1}` },
      body: JSON.stringify({ path: other }),
    });
    expect(status).toBe(403);
    // Even without an Origin header (old clients, stripped by a proxy), text/plain is not an API call.
    const noOrigin = await send({ path: '/api/call/project.open', headers: { Cookie: cookie(), 'Content-Type': 'text/plain' }, body: JSON.stringify({ path: other }) });
    expect(noOrigin).toBe(415);
    const form = await send({
      path: '/api/call/project.open',
      headers: { Cookie: cookie(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `{"path":"${other}","x":"=1"}`,
    });
    expect(form).toBe(415);
    expect(await currentProject()).toBe(project);
    expect(auditCount(other)).toBe(before);
  });

  it('refuses a foreign Origin even with the token, and a foreign Referer when Origin is absent', async () => {
    for (const origin of ['http://evil.com', `http://127.0.0.1:${server.port + 1}`, 'null', `https://127.0.0.1:${server.port}`]) {
      const status = await send({
        path: '/api/call/project.open',
        headers: { 'X-Histo-Token': server.token, 'Content-Type': 'application/json', Origin: origin },
        body: JSON.stringify({ path: other }),
      });
      expect(status, origin).toBe(403);
    }
    const referred = await send({
      path: '/api/call/project.open',
      headers: { 'X-Histo-Token': server.token, 'Content-Type': 'application/json', Referer: 'http://evil.com/page.html' },
      body: JSON.stringify({ path: other }),
    });
    expect(referred).toBe(403);
    // GETs too: an <img> on a foreign page must not read slide images or the app with the cookie.
    expect(await send({ path: '/', method: 'GET', headers: { Cookie: cookie(), Referer: 'http://127.0.0.1:1/x' } })).toBe(403);
    expect(await currentProject()).toBe(project);
  });

  it('accepts its own origin, with or without a Referer of its own', async () => {
    const own = `http://127.0.0.1:${server.port}`;
    const status = await send({
      path: '/api/call/project.current',
      headers: { 'X-Histo-Token': server.token, 'Content-Type': 'application/json; charset=utf-8', Origin: own, Referer: `${own}/index.html` },
      body: '{}',
    });
    expect(status).toBe(200);
    expect(await send({ path: '/', method: 'GET', headers: { Cookie: cookie(), Referer: `${own}/` } })).toBe(200);
  });

  it('answers 413 to a body over 1 MB (a 50 MB upload is discarded, never buffered) and keeps serving', async () => {
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x20);
    const status = await send({ path: '/api/call/app.info', headers: { 'X-Histo-Token': server.token, 'Content-Type': 'application/json' }, body: huge });
    expect(status).toBe(413);
    const declared = await send({
      path: '/api/call/app.info',
      headers: { 'X-Histo-Token': server.token, 'Content-Type': 'application/json', 'Content-Length': String(2 * 1024 * 1024) },
      body: Buffer.alloc(2 * 1024 * 1024, 0x20),
    });
    expect(declared).toBe(413);
    expect(await currentProject()).toBe(project);
  });

  it('refuses event sockets from a foreign origin, closes sockets that send too much, and caps their number', async () => {
    const open = (headers: Record<string, string> = {}) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`, { headers });
        socket.on('open', () => resolve(socket));
        socket.on('error', reject);
      });
    await expect(open({ Origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow(/403/);

    const big = await open({ Origin: `http://127.0.0.1:${server.port}` });
    const bigClosed = new Promise<number>((resolve) => big.on('close', (code) => resolve(code)));
    big.send(Buffer.alloc(128 * 1024));
    expect(await bigClosed).toBe(1009);

    const chatty = await open();
    const chattyClosed = new Promise<number>((resolve) => chatty.on('close', (code) => resolve(code)));
    for (let i = 0; i < 200; i++) chatty.send('ping');
    expect(await chattyClosed).toBe(1008);

    const sockets: WebSocket[] = [];
    let refused: unknown;
    try {
      for (let i = 0; i < 40; i++) sockets.push(await open());
    } catch (err) {
      refused = err;
    }
    expect(String(refused)).toMatch(/503/);
    expect(sockets.length).toBeGreaterThan(0);
    for (const socket of sockets) socket.close();
    expect(await currentProject()).toBe(project);
  });

  it('caps concurrent HTTP connections', async () => {
    const { Socket } = await import('node:net');
    const held: InstanceType<typeof Socket>[] = [];
    for (let i = 0; i < 300; i++) {
      const socket = new Socket();
      socket.on('error', () => undefined);
      held.push(socket.connect(server.port, '127.0.0.1'));
    }
    const closedByServer = await Promise.all(
      held.map((socket) => new Promise<boolean>((resolve) => (socket.once('close', () => resolve(true)), setTimeout(() => resolve(false), 1500)))),
    );
    expect(closedByServer.filter(Boolean).length).toBeGreaterThan(0);
    for (const socket of held) socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await currentProject()).toBe(project);
  });
});
