import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { comparisonUnitPlan } from '../../../src-main/core/compare/comparison-units';
import { collectInputs } from '../../../src-main/core/extraction/collect-inputs';
import { importPatchFolder } from '../../../src-main/core/labels/import-patch-folder';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { PatchSetsRepo } from '../../../src-main/core/project/repos/patch-sets-repo';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

/** A small real image at root/<relative>, PNG or JPEG by its extension, coloured by `shade`. */
async function writeImage(root: string, relative: string, shade: number): Promise<void> {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const image = sharp({ create: { width: 16, height: 16, channels: 3, background: { r: shade, g: 255 - shade, b: 128 } } });
  await (relative.endsWith('.png') ? image.png() : image.jpeg()).toFile(file);
}

const countImages = (store: ProjectStore) => (store.db.prepare("SELECT count(*) AS n FROM slides WHERE kind = 'image'").get() as { n: number }).n;

describe('patch folders with case subfolders', () => {
  it('imports DIR/<class>/<case>/<image> beside DIR/<class>/<image>: the class from the class folder, the case as the unit Compare resamples', async () => {
    const dir = tempDir();
    const root = path.join(dir, 'cohort');
    // 8 patients with a tumour PNG and a stroma JPEG each, and two images straight in their class folders.
    for (let c = 0; c < 8; c++) {
      await writeImage(root, `tumour/patient-${c}/0.png`, 20 + c);
      await writeImage(root, `stroma/patient-${c}/0.jpg`, 200 + c);
    }
    await writeImage(root, 'tumour/loose.png', 90);
    await writeImage(root, 'stroma/loose.jpeg', 160);
    const store = ProjectStore.create(path.join(dir, 'p.histo'));
    try {
      const result = await importPatchFolder(store, root, 'tissue');
      expect(result).toMatchObject({ images: 18, cases: 8, perClass: { tumour: 9, stroma: 9 }, failed: [] });
      // Case folders are never classes, in the task or in the patch set's summary.
      expect(result.task.classes).toEqual(['stroma', 'tumour']);
      expect(new PatchSetsRepo(store.db).list()).toMatchObject([{ name: 'cohort', images: 18, classes: ['stroma', 'tumour'] }]);

      // Compare keeps a patient's tumour and stroma images together, and each loose image apart.
      const plan = comparisonUnitPlan(store, result.task);
      expect(plan.summary.patchSets).toEqual([{ id: 1, name: 'cohort', images: 18, units: 10, rule: 'case-folder', included: true }]);
      const tileOf = (relative: string) =>
        (store.db.prepare("SELECT t.id FROM tiles t JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE s.path = ?").get(path.join(root, relative)) as { id: number }).id;
      const unitOf = (relative: string) => plan.unitOfTile.get(tileOf(relative))!.unit;
      expect(unitOf('tumour/patient-3/0.png')).toBe(unitOf('stroma/patient-3/0.jpg'));
      expect(unitOf('tumour/patient-3/0.png')).not.toBe(unitOf('tumour/patient-4/0.png'));
      expect(unitOf('tumour/loose.png')).not.toBe(unitOf('stroma/loose.jpeg'));

      // Embedding the same folder later keeps the class, not the case, as each image's candidate label.
      const label = collectInputs([root]).find((input) => input.path.endsWith(path.join('patient-5', '0.jpg')));
      expect(label).toMatchObject({ kind: 'image', candidateLabel: 'stroma' });
      // A second import of the folder changes nothing.
      expect((await importPatchFolder(store, root, 'tissue')).images).toBe(18);
      expect(countImages(store)).toBe(18);
      expect(new PatchSetsRepo(store.db).list()[0]!.classes).toEqual(['stroma', 'tumour']);
    } finally {
      store.close();
    }
  });

  it('refuses deeper nesting, images outside class folders and folders without images, naming the file, and stores nothing', async () => {
    const dir = tempDir();
    const store = ProjectStore.create(path.join(dir, 'p.histo'));
    try {
      const deep = path.join(dir, 'deep');
      await writeImage(deep, 'tumour/patient-1/0.png', 10);
      await writeImage(deep, 'tumour/patient-1/region-2/1.png', 30);
      await expect(importPatchFolder(store, deep, 'tissue')).rejects.toThrow(`${path.join(deep, 'tumour/patient-1/region-2/1.png')}: nested too deep in ${deep}`);

      const loose = path.join(dir, 'loose');
      await writeImage(loose, 'tumour/0.png', 10);
      await writeImage(loose, 'stray.jpg', 30);
      await expect(importPatchFolder(store, loose, 'tissue')).rejects.toThrow(`${path.join(loose, 'stray.jpg')}: lies directly in ${loose}`);

      const empty = path.join(dir, 'empty');
      fs.mkdirSync(path.join(empty, 'tumour', 'patient-1'), { recursive: true });
      fs.writeFileSync(path.join(empty, 'tumour', 'notes.txt'), 'no images here');
      await expect(importPatchFolder(store, empty, 'tissue')).rejects.toThrow(`${empty}: no PNG or JPEG images in class folders (expected DIR/<class>/<image> or DIR/<class>/<case>/<image>)`);

      expect(countImages(store)).toBe(0);
      expect(store.db.prepare('SELECT count(*) AS n FROM tasks').get()).toEqual({ n: 0 });
      expect(new PatchSetsRepo(store.db).list()).toEqual([]);
    } finally {
      store.close();
    }
  });
});
