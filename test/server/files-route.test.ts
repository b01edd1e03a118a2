import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHisto, serveHisto, type ServedHisto } from '../helpers/run-cli';
import { droppedFilesDir } from '../../src-main/server/upload-route';

/** The browser mode's file browser and the upload of dropped files, both behind the token. */
describe('histo serve: file browser and dropped-file upload', () => {
  let server: ServedHisto;
  let dir: string;
  let project: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-files-'));
    project = path.join(dir, 'study.histo');
    fs.writeFileSync(path.join(dir, 'slide.svs'), 'x');
    fs.writeFileSync(path.join(dir, 'secret.key'), 'x');
    expect(runHisto(['project', 'create', project]).code).toBe(0);
    server = await serveHisto(['--project', project]);
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const base = () => `http://127.0.0.1:${server.port}`;
  const list = (body: unknown, token: string | null = server.token) =>
    fetch(`${base()}/api/call/file.list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Histo-Token': token } : {}) },
      body: JSON.stringify(body),
    });
  const upload = (query: string, body: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${base()}/api/upload?${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'X-Histo-Token': server.token, ...headers },
      body,
    });

  it('lists the project folder with the token only, supported files only', async () => {
    expect((await list({}, null)).status).toBe(401);
    const envelope = (await (await list({})).json()) as { ok: boolean; result: { dir: string; entries: Array<{ name: string }> } };
    expect(envelope.ok).toBe(true);
    expect(envelope.result.dir).toBe(dir);
    expect(envelope.result.entries.map((e) => e.name)).toEqual(['slide.svs', 'study.histo']);
  });

  it('stores a file uploaded in chunks beside the project, never over another, and refuses gaps and odd names', async () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    // A part a closed page left two days ago goes when a new upload starts; the user's files stay.
    fs.mkdirSync(droppedFilesDir(project), { recursive: true });
    const abandoned = path.join(droppedFilesDir(project), `.${'a'.repeat(24)}.part`);
    fs.writeFileSync(abandoned, 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    fs.utimesSync(abandoned, twoDaysAgo, twoDaysAgo);
    const first = (await (await upload('name=drop.svs&offset=0', bytes.subarray(0, 600))).json()) as { ok: boolean; result: { upload: string; path: string | null } };
    expect(first.ok).toBe(true);
    expect(first.result.path).toBeNull();
    expect(fs.existsSync(abandoned)).toBe(false);
    const id = first.result.upload;
    const gap = (await (await upload(`name=drop.svs&offset=700&upload=${id}&last=1`, bytes.subarray(700))).json()) as { ok: boolean; error: { message: string } };
    expect(gap.ok).toBe(false);
    expect(gap.error.message).toMatch(/does not continue the 600 bytes/);
    const last = (await (await upload(`name=drop.svs&offset=600&upload=${id}&last=1`, bytes.subarray(600))).json()) as { result: { path: string } };
    expect(last.result.path).toBe(path.join(droppedFilesDir(project), 'drop.svs'));
    expect(Buffer.compare(fs.readFileSync(last.result.path), Buffer.from(bytes))).toBe(0);

    const again = (await (await upload('name=drop.svs&offset=0&last=1', bytes)).json()) as { result: { path: string } };
    expect(again.result.path).toBe(path.join(droppedFilesDir(project), 'drop (2).svs'));

    for (const name of ['..%2Fescape.svs', '.hidden.svs', 'virus.exe']) {
      const refused = await upload(`name=${name}&offset=0&last=1`, bytes);
      expect(refused.status).toBe(400);
    }
    expect((await upload('name=x.svs&offset=0', bytes, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await upload('name=x.svs&offset=0', bytes, { 'X-Histo-Token': 'guess' })).status).toBe(401);
    expect(fs.existsSync(path.join(dir, 'escape.svs'))).toBe(false);
  });
});
