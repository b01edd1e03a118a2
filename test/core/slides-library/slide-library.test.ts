import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { deepZoomLevels } from '../../../src-shared/contract';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { SlideImageRenderer, parseSlideImagePath, renderSlideImage } from '../../../src-main/core/slides-library/slide-images';
import { SlideLibrary } from '../../../src-main/core/slides-library/slide-library';
import { collectSlideFiles } from '../../../src-main/core/slides-library/slide-files';
import { useTempDir } from '../../helpers/temp-dir';
import { writeMixedFolder } from './generated-slides';

const tempDir = useTempDir();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

function newLibrary(dir: string): { store: ProjectStore; library: SlideLibrary; images: SlideImageRenderer } {
  const store = ProjectStore.create(path.join(dir, 'project.histo'));
  const library = new SlideLibrary(() => store);
  opened.push(library, store);
  return { store, library, images: new SlideImageRenderer(library) };
}

function auditActions(store: ProjectStore): Array<{ action: string; detail: Record<string, unknown> }> {
  return (store.db.prepare('SELECT action, detail_json FROM audit_log ORDER BY id').all() as Array<{ action: string; detail_json: string }>).map((r) => ({
    action: r.action,
    detail: JSON.parse(r.detail_json) as Record<string, unknown>,
  }));
}

describe('SlideLibrary', () => {
  it('imports a folder: good files become slides, each bad file is reported by name, the rest go on', async () => {
    const dir = tempDir();
    const slidesDir = path.join(dir, 'slides');
    const { tiff, png, corrupt, empty } = await writeMixedFolder(slidesDir);
    const { store, library } = newLibrary(dir);

    const result = await library.import([slidesDir]);
    expect(result.imported.map((s) => s.path).sort()).toEqual([png.file, tiff.file].sort());
    const section = result.imported.find((s) => s.path === tiff.file)!;
    expect(section).toMatchObject({ kind: 'slide', format: 'tiff', width: 3000, height: 2000, mppX: 0.5, mppY: 0.5, mppSource: 'file' });
    expect(section.levels.length).toBeGreaterThan(1);
    const patch = result.imported.find((s) => s.path === png.file)!;
    expect(patch).toMatchObject({ kind: 'image', format: 'png', width: 320, height: 240, mppX: null, mppSource: null });

    expect(result.failed.map((f) => f.path).sort()).toEqual([corrupt, empty].sort());
    for (const failure of result.failed) expect(failure.message.startsWith(failure.path)).toBe(true);
    expect(result.failed.find((f) => f.path === empty)!.message).toMatch(/empty/);

    expect(library.list().map((s) => s.id)).toEqual(result.imported.map((s) => s.id).sort((a, b) => a - b));
    expect(store.summary().counts.slides).toBe(2);
    expect(auditActions(store).at(-1)).toMatchObject({ action: 'slides.import' });
  });

  it('re-importing the same file (or a copy under another name) keeps its row, id and user mpp', async () => {
    const dir = tempDir();
    const { png } = await writeMixedFolder(path.join(dir, 'slides'));
    const { library } = newLibrary(dir);
    const first = (await library.import([png.file])).imported[0]!;
    library.setMpp(first.id, 0.25);

    const again = await library.import([png.file, png.file]);
    expect(again.imported).toHaveLength(1);
    expect(again.imported[0]).toMatchObject({ id: first.id, mppX: 0.25, mppSource: 'user' });

    const moved = path.join(dir, 'renamed.png');
    fs.renameSync(png.file, moved);
    const afterMove = await library.import([moved]);
    expect(afterMove.imported[0]).toMatchObject({ id: first.id, path: moved });
    expect(library.list()).toHaveLength(1);
  });

  it('stores a user mpp, audits it with the previous value, and refuses unknown slides', async () => {
    const dir = tempDir();
    const { png } = await writeMixedFolder(path.join(dir, 'slides'));
    const { store, library } = newLibrary(dir);
    const slide = (await library.import([png.file])).imported[0]!;

    const updated = library.setMpp(slide.id, 0.5);
    expect(updated).toMatchObject({ id: slide.id, mppX: 0.5, mppY: 0.5, mppSource: 'user' });
    expect(library.list()[0]).toMatchObject({ mppX: 0.5, mppSource: 'user' });
    expect(auditActions(store).at(-1)).toEqual({
      action: 'slides.setMpp',
      detail: { slideId: slide.id, path: png.file, fingerprint: slide.fingerprint, previous: { mppX: null, mppY: null, source: null }, mpp: 0.5 },
    });
    expect(() => library.setMpp(999, 0.5)).toThrow(/slide 999 is not in this project/);
    expect(() => library.setMpp(slide.id, -1)).toThrow(/positive/);
  });

  it('plans the overlay grid over tissue, and explains when the mpp is unknown', async () => {
    const dir = tempDir();
    const { tiff, png } = await writeMixedFolder(path.join(dir, 'slides'));
    const { library } = newLibrary(dir);
    const imported = (await library.import([tiff.file, png.file])).imported;
    const section = imported.find((s) => s.path === tiff.file)!;

    const overlay = await library.overlay(section.id, { tileSize: 224, mpp: 1, minTissue: 0.5 });
    expect(overlay.grid).toMatchObject({ tileSize: 224, mpp: 1, downsample: 2, extent: 448, minTissue: 0.5 });
    expect(overlay.grid.total).toBe(Math.floor(3000 / 448) * Math.floor(2000 / 448));
    expect(overlay.grid.count).toBeGreaterThan(0);
    expect(overlay.grid.count).toBeLessThan(overlay.grid.total);
    expect(overlay.grid.tiles).toHaveLength(overlay.grid.count * 3);
    for (let i = 2; i < overlay.grid.tiles.length; i += 3) expect(overlay.grid.tiles[i]).toBeGreaterThanOrEqual(0.5);
    expect(overlay.mask.tissueFraction).toBeGreaterThan(0.2);
    expect(overlay.mask.tissueFraction).toBeLessThan(0.8);

    const patch = imported.find((s) => s.path === png.file)!;
    await expect(library.overlay(patch.id, { tileSize: 64, mpp: 0.5, minTissue: 0 })).rejects.toThrow(/resolution \(µm per pixel\) is unknown/);
    library.setMpp(patch.id, 0.25);
    const patchOverlay = await library.overlay(patch.id, { tileSize: 64, mpp: 0.5, minTissue: 0 });
    expect(patchOverlay.grid.total).toBe(Math.floor(320 / 128) * Math.floor(240 / 128));
  });
});

describe('SlideImageRenderer', () => {
  it('renders deep-zoom tiles, a thumbnail and the tissue mask, and refuses tiles outside a level', async () => {
    const dir = tempDir();
    const { tiff } = await writeMixedFolder(path.join(dir, 'slides'));
    const { library, images } = newLibrary(dir);
    const slide = (await library.import([tiff.file])).imported[0]!;
    const { maxLevel, minLevel } = deepZoomLevels(3000, 2000);
    expect(maxLevel).toBe(12);

    const full = await images.tile(slide.id, maxLevel, 0, 0);
    expect(full.contentType).toBe('image/jpeg');
    expect(await sharp(full.body).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 256 });
    // The last column at full resolution: 3000 = 11 * 256 + 184.
    const edge = await sharp((await images.tile(slide.id, maxLevel, 11, 7)).body).metadata();
    expect([edge.width, edge.height]).toEqual([184, 2000 - 7 * 256]);
    const whole = await sharp((await images.tile(slide.id, minLevel, 0, 0)).body).metadata();
    expect(Math.max(whole.width!, whole.height!)).toBeLessThanOrEqual(256);

    await expect(images.tile(slide.id, maxLevel, 12, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(images.tile(slide.id, maxLevel + 1, 0, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(images.tile(slide.id, minLevel - 1, 0, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(images.tile(42, maxLevel, 0, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const thumb = await sharp((await renderSlideImage(images, `/slides/${slide.id}/thumbnail.jpg`)).body).metadata();
    expect([thumb.width, thumb.height]).toEqual([256, 171]);
    const overlay = await library.overlay(slide.id, { tileSize: 224, mpp: 0.5, minTissue: 0.5 });
    const tissue = await renderSlideImage(images, `slides/${slide.id}/tissue.png`);
    expect(tissue.contentType).toBe('image/png');
    expect(await sharp(tissue.body).metadata()).toMatchObject({ width: overlay.mask.width, height: overlay.mask.height, hasAlpha: true });
    // Only the slides the viewer looked at stay open.
    expect(library.openSlides.openCount).toBe(1);
  });

  it('parses image paths, with 400 for malformed ids and 404 for unknown images', () => {
    expect(parseSlideImagePath('/slides/3/tiles/12/4_5.jpg')).toEqual({ kind: 'tile', slideId: 3, level: 12, column: 4, row: 5 });
    expect(parseSlideImagePath('slides/3/thumbnail.jpg')).toEqual({ kind: 'thumbnail', slideId: 3 });
    for (const bad of ['/slides/abc/thumbnail.jpg', '/slides/0/tissue.png', '/slides/-1/tissue.png', '/slides/1e3/tissue.png']) {
      expect(() => parseSlideImagePath(bad), bad).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    }
    for (const bad of ['/slides/3/tiles/x/0_0.jpg', '/slides/3/tiles/1/0_0.png', '/slides/3/../../etc/passwd', '/slides/3/label.jpg']) {
      expect(() => parseSlideImagePath(bad), bad).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    }
  });
});

describe('collectSlideFiles', () => {
  it('names missing paths and folders without slides', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'empty'));
    const missing = path.join(dir, 'missing');
    const scan = await collectSlideFiles([missing, path.join(dir, 'empty')]);
    expect(scan.files).toEqual([]);
    expect(scan.failed.map((f) => f.message)).toEqual([`${missing}: no such file or folder`, expect.stringContaining(`${path.join(dir, 'empty')}: no slide files`)]);
  });
});
