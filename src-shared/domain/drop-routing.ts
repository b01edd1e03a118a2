import type { DropPlan } from '../contract/files';
import { fileKindOf } from './file-kinds';

/**
 * A dropped path as the core found it on disk. A folder's `content` says what its files are:
 * `patches` for an ImageFolder dataset (DIR/<class>/<image>), `slides` for slides (or a DICOM
 * series), `none` for nothing importable.
 */
export type InspectedPath =
  | { path: string; entry: 'file'; siblings?: readonly string[] }
  | { path: string; entry: 'folder'; content: 'patches' | 'slides' | 'none' }
  | { path: string; entry: 'missing' | 'special' };

function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter((part) => part !== '');
  return parts[parts.length - 1] ?? path;
}

/**
 * Sends each dropped path to the import it needs: slide files and slide folders to slide import,
 * ImageFolder datasets to patch import, `.onnx` to backbone import, GeoJSON/CSV/XML to label import,
 * `.histo` to opening the project. Everything else is refused with a reason a person can act on.
 */
export function routeDrop(items: readonly InspectedPath[]): DropPlan {
  const plan: DropPlan = { slides: [], patchFolders: [], backbones: [], labels: [], projects: [], refused: [] };
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.path)) continue;
    seen.add(item.path);
    const name = baseName(item.path);
    switch (item.entry) {
      case 'missing':
        plan.refused.push({ path: item.path, reason: `${name}: no such file or folder` });
        break;
      case 'special':
        plan.refused.push({ path: item.path, reason: `${name}: not a regular file or folder` });
        break;
      case 'folder':
        if (item.content === 'patches') plan.patchFolders.push(item.path);
        else if (item.content === 'slides') plan.slides.push(item.path);
        else plan.refused.push({ path: item.path, reason: `${name}: no slides, patch class folders, backbones or label files in this folder` });
        break;
      case 'file': {
        const kind = fileKindOf(name, item.siblings ?? []);
        if (kind === 'slide') plan.slides.push(item.path);
        else if (kind === 'backbone') plan.backbones.push(item.path);
        else if (kind === 'labels') plan.labels.push(item.path);
        else if (kind === 'project') plan.projects.push(item.path);
        else plan.refused.push({ path: item.path, reason: `${name}: not a slide, backbone (.onnx), label file (.geojson, .csv, .xml) or project (.histo)` });
        break;
      }
    }
  }
  if (plan.projects.length > 1) {
    for (const extra of plan.projects.splice(1)) plan.refused.push({ path: extra, reason: `${baseName(extra)}: one project opens at a time` });
  }
  return plan;
}

/** How many imports a plan starts, for the one-line summary after a drop. */
export function plannedCount(plan: DropPlan): number {
  return plan.slides.length + plan.patchFolders.length + plan.backbones.length + plan.labels.length + plan.projects.length;
}
