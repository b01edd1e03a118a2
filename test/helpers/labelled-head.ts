import fs from 'node:fs';
import path from 'node:path';
import type { ProjectStore } from '../../src-main/core/project/project-store';
import type { StoredBackbone } from '../../src-main/core/project/repos/backbones-repo';
import type { StoredTask } from '../../src-main/core/project/repos/tasks-repo';
import { registerSource } from '../../src-main/core/extraction/extraction-plan';
import { importLabels } from '../../src-main/core/labels/import-labels';
import { embedTiles } from '../../src-main/core/extraction/embed-tiles';
import { trainTask } from '../../src-main/core/training/train-task';

/**
 * Tiles `slide` at 32 px / 0.5 µm/px, labels it from CSV rows (`source,x,y,label`, header first)
 * written into `dir`, embeds every tile and trains a 2-fold logistic regression: the head id.
 */
export async function trainHeadOnLabelledSlide(store: ProjectStore, dir: string, slide: string, backbone: StoredBackbone, task: StoredTask, rows: string[]): Promise<number> {
  const registered = await registerSource(store, { kind: 'slide', path: slide }, { tileSize: 32, mpp: 0.5, minTissue: 0 });
  await registered.source.close();
  fs.writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n'));
  importLabels(store, task, path.join(dir, 'labels.csv'));
  await embedTiles(store, backbone, registered.tiles.map((t) => t.id));
  return trainTask(store, { task, backbone, kind: 'logreg', folds: 2, groupBy: 'none', augment: 'none', search: false, seed: 0 }).headId;
}
