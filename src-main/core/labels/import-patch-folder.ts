import type { PatchFolderSummary } from '../../../src-shared/contract';
import fs from 'node:fs';
import path from 'node:path';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { failureOf, HistoError } from '../errors';
import { collectInputs } from '../extraction/collect-inputs';
import { registerSource } from '../extraction/extraction-plan';
import { PatchSetsRepo } from '../project/repos/patch-sets-repo';
import { LabelsRepo, type NewLabel } from '../project/repos/labels-repo';
import { TasksRepo } from '../project/repos/tasks-repo';
import { layOutPatchFolder } from './patch-folder-layout';

/** What a patch-folder import returns: the contract's schema of it (job-results.ts). */
export type PatchFolderResult = PatchFolderSummary;

/**
 * Imports an ImageFolder dataset (DIR/<class>/<image>, or DIR/<class>/<case>/<image>) as labelled
 * tiles of a task, creating the task from the class folder names when it does not exist yet. Each
 * image is one tile; its case folder, kept in its path, is the unit Compare resamples and keeps on
 * one side of a split (compare/comparison-units.ts).
 */
export async function importPatchFolder(store: ProjectStore, dir: string, taskName: string, ctx?: JobContext): Promise<PatchFolderResult> {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new HistoError('NOT_FOUND', `${root}: no such folder`);
  const images = layOutPatchFolder(
    root,
    collectInputs([root]).flatMap((i) => (i.kind === 'image' ? [i.path] : [])),
  );
  const classes = [...new Set(images.map((i) => i.className))].sort();

  const tasks = new TasksRepo(store.db);
  let task = tasks.find(taskName);
  if (!task) task = tasks.create(taskName, classes);
  const unknown = classes.filter((c) => !task!.classes.includes(c));
  if (unknown.length) throw new HistoError('BAD_INPUT', `${root}: folders ${unknown.join(', ')} are not classes of task ${task.name} (${task.classes.join(', ')})`);

  const labels: NewLabel[] = [];
  const imageIds: number[] = [];
  const failed: PatchFolderResult['failed'] = [];
  for (const [index, image] of images.entries()) {
    ctx?.throwIfCancelled();
    ctx?.progress(index, images.length, `importing ${path.basename(image.path)}`);
    try {
      const registered = await registerSource(store, { kind: 'image', path: image.path, candidateLabel: image.className }, { tileSize: 224, minTissue: 0 });
      await registered.source.close();
      labels.push({ tileId: registered.tiles[0]!.id, className: image.className });
      imageIds.push(registered.slideId);
    } catch (err) {
      if (err instanceof HistoError && err.code === 'CANCELLED') throw err;
      failed.push(failureOf(image.path, err));
    }
  }
  const perClass: Record<string, number> = {};
  for (const l of labels) perClass[l.className] = (perClass[l.className] ?? 0) + 1;
  // A case folder of the same name under two classes is one case (a patient's tumour and stroma).
  const cases = new Set(images.flatMap((i) => (i.caseName === null ? [] : [i.caseName]))).size;
  store.db.transaction(() => {
    // The folder is one dataset entry (a patch set), never N slides.
    const patchSets = new PatchSetsRepo(store.db);
    patchSets.addImages(patchSets.ensure(root), imageIds);
    new LabelsRepo(store.db).upsertMany(task.id, labels, 'import', null);
    recordAudit(store.db, 'dataset.import-folder', { task: task.name, folder: root, images: labels.length, cases, perClass, failed: failed.length });
  })();
  ctx?.progress(images.length, images.length, 'imported');
  return { task, images: labels.length, cases, perClass, failed };
}
