import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { callCore } from '../../../src-main/cli/call-core';
import { HistoCore } from '../../../src-main/core/histo-core';
import { importPatchFolder } from '../../../src-main/core/labels/import-patch-folder';
import { migrations } from '../../../src-main/core/project/migrations';
import { PROJECT_APPLICATION_ID } from '../../../src-main/core/project/project-file-check';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { PatchSetsRepo } from '../../../src-main/core/project/repos/patch-sets-repo';
import { writePatchDataset, writeTestSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

/** A project file as the release before patch sets wrote it (schema 2), rows inserted directly. */
function writeSchema2Project(file: string, fill: (db: Database.Database) => void): void {
  const db = new Database(file);
  db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
  for (const m of migrations.filter((m) => m.version <= 2)) db.exec(m.sql);
  db.pragma('user_version = 2');
  db.prepare("INSERT INTO project_meta (key, value) VALUES ('created_at', '2026-01-01')").run();
  fill(db);
  db.close();
}

function insertSlide(db: Database.Database, file: string, kind: 'slide' | 'image', label: string | null = null): void {
  db.prepare(
    `INSERT INTO slides (path, fingerprint, kind, format, width, height, levels_json, candidate_label, added_at)
     VALUES (?, ?, ?, ?, 224, 224, '[{"width":224,"height":224,"downsample":1,"tileWidth":224,"tileHeight":224}]', ?, '2026-01-01')`,
  ).run(file, `fp-${file}`, kind, kind === 'image' ? 'png' : 'tiff', label);
}

describe('patch sets', () => {
  it('migration 004 groups the images of each imported patch folder into one patch set, from the audit log', () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.histo');
    const audit = (folder: string) => `INSERT INTO audit_log (at, app_version, action, detail_json) VALUES ('2026-01-02', '0.1.0', 'dataset.import-folder', '${JSON.stringify({ folder, images: 3 })}')`;
    writeSchema2Project(file, (db) => {
      insertSlide(db, '/data/scans/a.svs', 'slide');
      insertSlide(db, '/data/scans/b.svs', 'slide');
      for (const cls of ['tumour', 'stroma']) for (let i = 0; i < 3; i++) insertSlide(db, `/data/kather/${cls}/${i}.png`, 'image', cls);
      // A folder inside another imported folder: its images belong to the deeper one.
      insertSlide(db, '/data/kather/extra/set2/normal/0.png', 'image', 'normal');
      // An image imported on its own stays a standalone image, and a folder with a common prefix is not a parent.
      insertSlide(db, '/data/kather-other/x/1.png', 'image', 'x');
      db.exec(audit('/data/kather'));
      db.exec(audit('/data/kather'));
      db.exec(audit('/data/kather/extra/set2'));
    });

    const store = ProjectStore.open(file);
    try {
      expect(store.schemaVersion).toBe(migrations.at(-1)!.version);
      const sets = new PatchSetsRepo(store.db).list();
      expect(sets.map((s) => [s.name, s.rootPath, s.images, s.classes, s.mpp])).toEqual([
        ['kather', '/data/kather', 6, ['stroma', 'tumour'], null],
        ['set2', '/data/kather/extra/set2', 1, ['normal'], null],
      ]);
      const members = store.db.prepare('SELECT path, patch_set_id AS member_of FROM slides ORDER BY id').all() as Array<{ path: string; member_of: number | null }>;
      expect(members.filter((m) => m.member_of === null).map((m) => m.path)).toEqual(['/data/scans/a.svs', '/data/scans/b.svs', '/data/kather-other/x/1.png']);
      expect(store.summary().counts).toMatchObject({ slides: 3, patchSets: 2 });
    } finally {
      store.close();
    }
  });

  it('an imported patch folder is one patch set beside the slides, with a resolution set once for all its images', async () => {
    const dir = tempDir();
    const core = new HistoCore();
    try {
      await callCore(core, 'project.create', { path: path.join(dir, 'p.histo') });
      const store = core.requireProject();
      const slide = await writeTestSlide(dir);
      await callCore(core, 'slide.import', { paths: [slide] });
      const root = await writePatchDataset(dir, { adipose: [250, 240, 240], mucosa: [200, 120, 170] }, 3);
      await importPatchFolder(store, root, 'tissue');
      await importPatchFolder(store, root, 'tissue'); // a second import is the same set

      const summary = (await callCore(core, 'project.current', {}))!;
      expect(summary.counts).toMatchObject({ slides: 1, patchSets: 1 });
      const [set] = await callCore(core, 'patchSet.list', {});
      expect(set).toMatchObject({ name: path.basename(root), rootPath: root, images: 6, classes: ['adipose', 'mucosa'], mpp: null, mppSource: null });
      const slides = await callCore(core, 'slide.list', {});
      expect(slides.filter((s) => s.patchSetId === set!.id)).toHaveLength(6);
      expect(slides.filter((s) => s.patchSetId === null).map((s) => s.kind)).toEqual(['slide']);

      const updated = await callCore(core, 'patchSet.setMpp', { patchSetId: set!.id, mpp: 0.5 });
      expect(updated).toMatchObject({ mpp: 0.5, mppSource: 'user', images: 6 });
      const audit = await callCore(core, 'audit.list', { action: 'patchSet.setMpp', limit: 5 });
      expect(audit[0]!.detail).toMatchObject({ images: 6, mpp: 0.5, previous: null });
      await expect(callCore(core, 'patchSet.setMpp', { patchSetId: 99, mpp: 0.5 })).rejects.toThrow(/patch set 99 is not in this project/);
    } finally {
      core.closeProject();
    }
  });
});
