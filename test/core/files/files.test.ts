import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoCore } from '../../../src-main/core/histo-core';
import { listFolder, MAX_LISTED_ENTRIES } from '../../../src-main/core/files/list-folder';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

function write(file: string, content = 'x'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe('the file browser (files.list)', () => {
  it('lists folders first and supported files only; hidden entries, special files and dangling links never', async () => {
    const dir = tempDir();
    write(path.join(dir, 'b.svs'), 'slide');
    write(path.join(dir, 'a.geojson'));
    write(path.join(dir, 'model.onnx'));
    write(path.join(dir, 'model.json'));
    write(path.join(dir, 'notes.txt'));
    write(path.join(dir, '.hidden.svs'));
    fs.mkdirSync(path.join(dir, 'zcases'));
    fs.symlinkSync(path.join(dir, 'missing.svs'), path.join(dir, 'dangling.svs'));
    fs.symlinkSync('/dev/null', path.join(dir, 'device.svs'));
    fs.symlinkSync(path.join(dir, 'zcases'), path.join(dir, 'linked-folder'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.svs')]);

    const listing = await listFolder(dir, { places: [] });
    expect(listing.entries.map((e) => `${e.kind}:${e.name}`)).toEqual(['folder:linked-folder', 'folder:zcases', 'labels:a.geojson', 'slide:b.svs', 'backbone:model.onnx']);
    expect(listing.entries.find((e) => e.name === 'b.svs')?.size).toBe(5);
    expect(listing.parent).toBe(path.dirname(dir));
    expect(listing.truncated).toBe(false);

    const slidesOnly = await listFolder(dir, { kinds: ['slide'], places: [] });
    expect(slidesOnly.entries.map((e) => e.name)).toEqual(['linked-folder', 'zcases', 'b.svs']);
  });

  it('says which folder is missing or not a folder, and bounds a huge one', async () => {
    const dir = tempDir();
    await expect(listFolder(path.join(dir, 'nope'), { places: [] })).rejects.toThrow(`${path.join(dir, 'nope')}: no such folder`);
    await expect(listFolder(write(path.join(dir, 'f.svs')), { places: [] })).rejects.toThrow('not a folder');
    for (let i = 0; i < 6; i++) fs.mkdirSync(path.join(dir, `d${i}`));
    const listing = await listFolder(dir, { places: [], maxEntries: 5 });
    expect(MAX_LISTED_ENTRIES).toBeGreaterThan(5);
    expect(listing.entries).toHaveLength(5);
    expect(listing.truncated).toBe(true);
  });
});

describe('files.route through the core', () => {
  it('classifies dropped folders by content and files by name', async () => {
    const dir = tempDir();
    write(path.join(dir, 'patches', 'tumour', 'p1.png'));
    write(path.join(dir, 'patches', 'stroma', 'p2.jpg'));
    // DIR/<class>/<case>/<image>: patches one case folder down are a patch folder too.
    write(path.join(dir, 'cased-patches', 'tumour', 'patient-1', 'p1.png'));
    write(path.join(dir, 'cases', 'case1', 'slide.svs'));
    write(path.join(dir, 'dicom', 'level0.dcm'));
    fs.mkdirSync(path.join(dir, 'empty'));
    const onnx = write(path.join(dir, 'uni.onnx'));
    const core = new HistoCore({});
    try {
      const envelope = await core.dispatch('file.route', {
        paths: [path.join(dir, 'patches'), path.join(dir, 'cased-patches'), path.join(dir, 'cases'), path.join(dir, 'dicom'), path.join(dir, 'empty'), onnx, path.join(dir, 'gone.svs')],
      });
      expect(envelope.ok).toBe(true);
      if (!envelope.ok) return;
      expect(envelope.result).toEqual({
        slides: [path.join(dir, 'cases'), path.join(dir, 'dicom')],
        patchFolders: [path.join(dir, 'patches'), path.join(dir, 'cased-patches')],
        backbones: [onnx],
        labels: [],
        projects: [],
        refused: [
          { path: path.join(dir, 'empty'), reason: expect.stringContaining('empty: no slides') },
          { path: path.join(dir, 'gone.svs'), reason: 'gone.svs: no such file or folder' },
        ],
      });
      const pick = await core.dispatch('file.pick', { mode: 'open-file' });
      expect(pick.ok).toBe(false);
      if (!pick.ok) expect(pick.error.message).toMatch(/desktop app.*Browse/);
    } finally {
      core.close();
    }
  });
});
