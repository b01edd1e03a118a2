import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deepZoomLevels } from '../../../src-shared/contract';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { renderSlideImage, SlideImageRenderer } from '../../../src-main/core/slides-library/slide-images';
import { SlideLibrary } from '../../../src-main/core/slides-library/slide-library';
import { createSlideProtocolHandler } from '../../../src-main/electron/slide-protocol';
import { useTempDir } from '../../helpers/temp-dir';
import { writeTissueTiff } from './generated-slides';

const tempDir = useTempDir();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

describe('the histo: protocol of the Electron shell', () => {
  it('serves the same slide images as the server, with CORS for the viewer canvas', async () => {
    const dir = tempDir();
    const store = ProjectStore.create(path.join(dir, 'p.histo'));
    const library = new SlideLibrary(() => store);
    opened.push(library, store);
    const slide = await writeTissueTiff(path.join(dir, 's.tif'), { width: 1200, height: 900 });
    const id = (await library.import([slide.file])).imported[0]!.id;
    const renderer = new SlideImageRenderer(library);
    const handle = createSlideProtocolHandler((pathname, query) => renderSlideImage(renderer, pathname, query));
    const { maxLevel } = deepZoomLevels(1200, 900);

    const tile = await handle(new Request(`histo://slides/${id}/tiles/${maxLevel}/0_0.jpg?v=abc`));
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('image/jpeg');
    expect(tile.headers.get('access-control-allow-origin')).toBe('*');
    expect(new Uint8Array(await tile.arrayBuffer()).subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
    expect((await handle(new Request(`histo://slides/${id}/tissue.png`))).headers.get('content-type')).toBe('image/png');

    expect((await handle(new Request(`histo://slides/${id}/tiles/${maxLevel}/9_0.jpg`))).status).toBe(404);
    expect((await handle(new Request('histo://slides/abc/thumbnail.jpg'))).status).toBe(400);
    expect((await handle(new Request('histo://slides/77/thumbnail.jpg'))).status).toBe(404);
    expect((await handle(new Request('histo://other/1/thumbnail.jpg'))).status).toBe(404);
    expect((await handle(new Request(`histo://slides/${id}/thumbnail.jpg`, { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('serves gallery crops and answers for heatmaps under histo://heads/', async () => {
    const dir = tempDir();
    const store = ProjectStore.create(path.join(dir, 'p.histo'));
    const library = new SlideLibrary(() => store);
    opened.push(library, store);
    const slide = await writeTissueTiff(path.join(dir, 's.tif'), { width: 1200, height: 900 });
    const id = (await library.import([slide.file])).imported[0]!.id;
    const renderer = new SlideImageRenderer(library);
    const handle = createSlideProtocolHandler((pathname, query) => renderSlideImage(renderer, pathname, query));

    const crop = await handle(new Request(`histo://slides/${id}/region.jpg?v=abc&x=100&y=200&w=400&h=200&size=100`));
    expect(crop.status).toBe(200);
    expect(crop.headers.get('content-type')).toBe('image/jpeg');
    expect(crop.headers.get('cache-control')).toBe('private, max-age=3600');
    expect((await handle(new Request(`histo://slides/${id}/region.jpg?x=0&y=0&w=400&h=200&size=1024`))).status).toBe(400);
    // The heatmap route is reached through the heads host; a head the project lacks is 404.
    const heatmap = await handle(new Request(`histo://heads/3/slides/${id}/heatmap.png`));
    expect(heatmap.status).toBe(404);
    expect(((await heatmap.json()) as { error: { message: string } }).error.message).toContain('no head 3');
    expect((await handle(new Request(`histo://heads/x/slides/${id}/heatmap.png`))).status).toBe(400);
  });
});
