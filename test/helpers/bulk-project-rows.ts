import fs from 'node:fs';
import path from 'node:path';
import type { SlideInfo } from '../../src-shared/domain/slide';
import { ProjectStore } from '../../src-main/core/project/project-store';
import { PatchSetsRepo } from '../../src-main/core/project/repos/patch-sets-repo';
import { SlidesRepo } from '../../src-main/core/project/repos/slides-repo';
import { openSlide } from '../../src-main/core/slides/open-slide';

/**
 * Fills a project with many slide or patch rows in one transaction, through the real repos, in
 * well under a second: lists of 1,000 or 10,000 entries without importing as many files. Every
 * row points at a real file (a symbolic link to `template`), so thumbnails and the viewer work.
 */
export async function addLinkedSlides(projectFile: string, template: string, dir: string, count: number, options: { mpp?: number | null } = {}): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const source = await openSlide(template);
  const templateInfo = source.info;
  await source.close();
  const store = ProjectStore.open(projectFile);
  try {
    const slides = new SlidesRepo(store.db);
    const paths: string[] = [];
    store.db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const file = path.join(dir, `case-${String(i + 1).padStart(5, '0')}.tif`);
        if (!fs.existsSync(file)) fs.symlinkSync(template, file);
        const mpp = options.mpp === undefined ? (i % 3 === 0 ? null : 0.25 + (i % 4) * 0.25) : options.mpp;
        slides.upsert(`bulk-${path.basename(dir)}-${i}`, { ...templateInfo, path: file, mppX: mpp, mppY: mpp }, 'slide', null, mpp === null ? null : 'file');
        paths.push(file);
      }
    })();
    return paths;
  } finally {
    store.close();
  }
}

/** A patch set of `perClass` images in each class folder (root/<class>/<n>.png rows; the files need not exist). */
export function addPatchSetRows(projectFile: string, root: string, classes: readonly string[], perClass: number): number {
  const store = ProjectStore.open(projectFile);
  try {
    const slides = new SlidesRepo(store.db);
    const patchSets = new PatchSetsRepo(store.db);
    return store.db.transaction(() => {
      const id = patchSets.ensure(root);
      const ids: number[] = [];
      for (const cls of classes) {
        for (let i = 0; i < perClass; i++) {
          const file = path.join(root, cls, `${i}.png`);
          ids.push(slides.upsert(`patch-${file}`, patchInfo(file), 'image', cls, null).id);
        }
      }
      patchSets.addImages(id, ids);
      return id;
    })();
  } finally {
    store.close();
  }
}

function patchInfo(file: string): SlideInfo {
  return {
    path: file,
    format: 'png',
    vendor: null,
    width: 224,
    height: 224,
    levels: [{ width: 224, height: 224, downsample: 1, tileWidth: 224, tileHeight: 224 }],
    mppX: null,
    mppY: null,
    magnification: null,
    associated: [],
  };
}
