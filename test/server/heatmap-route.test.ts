import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedProject, type TrainedProject } from '../core/slides-library/predicted-project';
import { serveHisto, type ServedHisto } from '../helpers/run-cli';

/**
 * The images of the Review area over `histo serve`: a head's heatmap over a slide (404 until the
 * head has predicted it) and tile crops for the gallery, both behind the token, every number of
 * the URL checked.
 */
describe('histo serve: heatmap and region routes', () => {
  let dir: string;
  let trained: TrainedProject;
  let server: ServedHisto;
  let slideId: number;

  async function api<T>(method: string, body: unknown): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Histo-Token': server.token },
      body: JSON.stringify(body),
    });
    const envelope = (await response.json()) as { ok: boolean; result: T; error?: { message: string } };
    if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.message}`);
    return envelope.result;
  }

  const get = (pathname: string, headers: Record<string, string> = { 'X-Histo-Token': server.token }) =>
    fetch(`http://127.0.0.1:${server.port}${pathname}`, { headers });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-heatmap-'));
    trained = await trainedProject(dir);
    server = await serveHisto(['--project', trained.project]);
    const slides = await api<Array<{ id: number; path: string }>>('slides.list', {});
    slideId = slides.find((s) => s.path === trained.slide)!.id;
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 404 for a heatmap the head has not predicted, then the PNG once it has', async () => {
    const before = await get(`/heads/${trained.headId}/slides/${slideId}/heatmap.png`);
    expect(before.status).toBe(404);
    expect(((await before.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('has not predicted') });

    const { jobId } = await api<{ jobId: string }>('predict.start', { head: trained.headId, paths: [trained.slide] });
    await expect.poll(async () => (await api<{ state: string } | null>('job.result', { jobId }))?.state, { timeout: 60_000, interval: 200 }).toBe('done');

    const response = await get(`/heads/${trained.headId}/slides/${slideId}/heatmap.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const png = Buffer.from(await response.arrayBuffer());
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    // Aligned with the slide (512 x 256 is under the 2048 px cap: one heatmap pixel per slide pixel).
    expect([info.width, info.height, info.channels]).toEqual([512, 256, 4]);
    // Tumour probability on the left (bright end of the ramp), stroma on the right (dark end).
    const brightness = (x: number, y: number) => data[(y * info.width + x) * 4]! + data[(y * info.width + x) * 4 + 1]!;
    expect(brightness(64, 128)).toBeGreaterThan(brightness(448, 128) + 100);
    expect(data[(128 * info.width + 64) * 4 + 3]).toBe(255);

    // The other class: the picture turns around.
    const stroma = Buffer.from(await (await get(`/heads/${trained.headId}/slides/${slideId}/heatmap.png?class=0`)).arrayBuffer());
    const raw = await sharp(stroma).raw().toBuffer();
    expect(raw[(128 * 512 + 448) * 4]! + raw[(128 * 512 + 448) * 4 + 1]!).toBeGreaterThan(raw[(128 * 512 + 64) * 4]! + raw[(128 * 512 + 64) * 4 + 1]! + 100);
  });

  it('answers 401 without the token', async () => {
    const wrong: Array<Record<string, string>> = [{}, { 'X-Histo-Token': 'guess' }];
    for (const headers of wrong) {
      expect((await get(`/heads/${trained.headId}/slides/${slideId}/heatmap.png`, headers)).status).toBe(401);
      expect((await get(`/slides/${slideId}/region.jpg?x=0&y=0&w=32&h=32&size=64`, headers)).status).toBe(401);
    }
  });

  it('answers 400 for malformed ids and classes, 404 for unknown heads and slides', async () => {
    for (const bad of ['abc', '0', '-1', '1.5']) {
      expect((await get(`/heads/${bad}/slides/${slideId}/heatmap.png`)).status, bad).toBe(400);
      expect((await get(`/heads/${trained.headId}/slides/${bad}/heatmap.png`)).status, bad).toBe(400);
    }
    for (const bad of ['x', '-1', '1.5', '100', '']) {
      expect((await get(`/heads/${trained.headId}/slides/${slideId}/heatmap.png?class=${bad}`)).status, `class=${bad}`).toBe(400);
    }
    // A class index the head does not have (it has two).
    expect((await get(`/heads/${trained.headId}/slides/${slideId}/heatmap.png?class=2`)).status).toBe(400);
    expect((await get(`/heads/999/slides/${slideId}/heatmap.png`)).status).toBe(404);
    expect((await get(`/heads/${trained.headId}/slides/999/heatmap.png`)).status).toBe(404);
    expect((await get(`/heads/${trained.headId}/slides/${slideId}/other.png`)).status).toBe(404);
  });

  it('crops a level-0 region for the gallery at the asked size, within bounds', async () => {
    const response = await get(`/slides/${slideId}/region.jpg?x=256&y=64&w=128&h=64&size=64`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([64, 32]);

    // A 32-px tile asked at 128 px is not upsampled; a rectangle past the edge is clipped to the slide.
    const small = await sharp(Buffer.from(await (await get(`/slides/${slideId}/region.jpg?x=0&y=0&w=32&h=32&size=128`)).arrayBuffer())).metadata();
    expect([small.width, small.height]).toEqual([32, 32]);
    const clipped = await sharp(Buffer.from(await (await get(`/slides/${slideId}/region.jpg?x=480&y=224&w=64&h=64&size=64`)).arrayBuffer())).metadata();
    expect([clipped.width, clipped.height]).toEqual([32, 32]);

    const refused = [
      'x=0&y=0&w=32&h=32&size=513',
      'x=0&y=0&w=32&h=32&size=4',
      'x=0&y=0&w=16385&h=32&size=64',
      'x=0&y=0&w=32&h=0&size=64',
      'x=-1&y=0&w=32&h=32&size=64',
      'x=1e3&y=0&w=32&h=32&size=64',
      'x=0.5&y=0&w=32&h=32&size=64',
      'y=0&w=32&h=32&size=64',
      'x=0&y=0&w=abc&h=32&size=64',
    ];
    for (const query of refused) expect((await get(`/slides/${slideId}/region.jpg?${query}`)).status, query).toBe(400);
    expect((await get(`/slides/${slideId}/region.jpg?x=512&y=0&w=32&h=32&size=64`)).status).toBe(404);
    expect((await get(`/slides/999/region.jpg?x=0&y=0&w=32&h=32&size=64`)).status).toBe(404);
  });
});
