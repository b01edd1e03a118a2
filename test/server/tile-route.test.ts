import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepZoomLevels } from '../../src-shared/contract';
import { writeTissueTiff } from '../core/slides-library/generated-slides';
import { runHisto, serveHisto, type ServedHisto } from '../helpers/run-cli';

describe('histo serve: slide image routes', () => {
  let server: ServedHisto;
  let dir: string;
  let slideId: number;
  const width = 2400;
  const height = 1600;
  const { maxLevel, minLevel } = deepZoomLevels(width, height);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-tiles-'));
    const project = path.join(dir, 'tiles.histo');
    expect(runHisto(['project', 'create', project]).code).toBe(0);
    const slide = await writeTissueTiff(path.join(dir, 'section.tif'), { width, height });
    server = await serveHisto(['--project', project]);
    const response = await fetch(`http://127.0.0.1:${server.port}/api/call/slides.import`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Histo-Token': server.token },
      body: JSON.stringify({ paths: [slide.file] }),
    });
    const envelope = (await response.json()) as { ok: boolean; result: { imported: Array<{ id: number }> } };
    expect(envelope.ok).toBe(true);
    slideId = envelope.result.imported[0]!.id;
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (pathname: string, headers: Record<string, string> = { 'X-Histo-Token': server.token }) =>
    fetch(`http://127.0.0.1:${server.port}${pathname}`, { headers });

  it('serves a JPEG tile with the token (header or cookie)', async () => {
    const response = await get(`/slides/${slideId}/tiles/${maxLevel}/0_0.jpg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const body = Buffer.from(await response.arrayBuffer());
    expect([body[0], body[1], body[2]]).toEqual([0xff, 0xd8, 0xff]);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");

    const viaCookie = await get(`/slides/${slideId}/tiles/${minLevel}/0_0.jpg`, { Cookie: `histo_token=${server.token}` });
    expect(viaCookie.status).toBe(200);
    const head = await fetch(`http://127.0.0.1:${server.port}/slides/${slideId}/thumbnail.jpg`, { method: 'HEAD', headers: { 'X-Histo-Token': server.token } });
    expect(head.status).toBe(200);
  });

  it('serves the thumbnail and the tissue mask', async () => {
    const thumbnail = await get(`/slides/${slideId}/thumbnail.jpg`);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
    const tissue = await get(`/slides/${slideId}/tissue.png`);
    expect(tissue.status).toBe(200);
    expect(tissue.headers.get('content-type')).toBe('image/png');
  });

  it('answers 401 without the token or with a wrong one', async () => {
    const wrong: Array<Record<string, string>> = [{}, { 'X-Histo-Token': 'guess' }, { Cookie: 'histo_token=guess' }];
    for (const headers of wrong) {
      const response = await get(`/slides/${slideId}/tiles/${maxLevel}/0_0.jpg`, headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json');
    }
    expect((await get(`/slides/${slideId}/thumbnail.jpg`, {})).status).toBe(401);
    expect((await get(`/slides/${slideId}/tissue.png`, {})).status).toBe(401);
  });

  it('answers 404 for tiles outside a level and for levels outside the pyramid', async () => {
    const columns = Math.ceil(width / 256);
    const rows = Math.ceil(height / 256);
    expect((await get(`/slides/${slideId}/tiles/${maxLevel}/${columns - 1}_${rows - 1}.jpg`)).status).toBe(200);
    for (const tile of [`${maxLevel}/${columns}_0`, `${maxLevel}/0_${rows}`, `${maxLevel + 1}/0_0`, `${minLevel - 1}/0_0`, `${minLevel}/1_0`]) {
      const response = await get(`/slides/${slideId}/tiles/${tile}.jpg`);
      expect(response.status, tile).toBe(404);
      const envelope = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
      expect(envelope).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('answers 400 for malformed slide ids and 404 for unknown slides or images', async () => {
    for (const bad of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
      expect((await get(`/slides/${bad}/tiles/${maxLevel}/0_0.jpg`)).status, bad).toBe(400);
    }
    const unknown = await get(`/slides/9999/tiles/${maxLevel}/0_0.jpg`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('slide 9999');
    expect((await get(`/slides/${slideId}/label.jpg`)).status).toBe(404);
    expect((await get(`/slides/${slideId}/tiles/${maxLevel}/0_0.png`)).status).toBe(404);
  });
});
