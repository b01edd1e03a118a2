import { defineStore, storeToRefs } from 'pinia';
import { computed, ref } from 'vue';
import type { DropPlan } from '../../../src-shared/contract';
import { call, hasNativeDialogs, pathOfDroppedFile, toCallError } from '../api/histo-api';
import { useBackbonesStore } from './backbones-store';
import { useProjectStore } from './project-store';
import { useSlidesStore } from './slides-store';

/** One thing dropped on the window: a file, or (browser mode) a folder the page cannot read. */
export interface DroppedItem {
  file: File;
  isFolder: boolean;
}

export type DropArea = 'slides' | 'backbones' | 'tasks';

export interface DropOutcome {
  /** The project the drop went into: the outcome is shown only while it stays open. */
  projectPath: string | null;
  done: string[];
  refused: string[];
}

const baseName = (path: string) => path.split(/[\\/]/).filter(Boolean).pop() ?? path;

/**
 * Files and folders dropped on the window, sent where they belong: slides imported at once,
 * backbones imported, a project opened; label files and patch folders handed to the Tasks view,
 * where their task is chosen. In a browser, files are first uploaded beside the project.
 */
export const useFileDropStore = defineStore('fileDrop', () => {
  const busy = ref(false);
  const progress = ref('');
  const outcome = ref<DropOutcome | null>(null);
  const pendingLabelFile = ref<string | null>(null);
  const pendingPatchFolder = ref<string | null>(null);
  const project = useProjectStore();
  const { current } = storeToRefs(project);

  /** The outcome banner belongs to the project it happened in: switching projects hides it. */
  const visibleOutcome = computed(() => (outcome.value && outcome.value.projectPath === (current.value?.path ?? null) ? outcome.value : null));

  async function pathsOf(items: readonly DroppedItem[], refused: string[]): Promise<string[]> {
    const paths: string[] = [];
    for (const item of items) {
      try {
        if (item.isFolder && !hasNativeDialogs()) {
          refused.push(`${item.file.name}: a browser page cannot send a folder; use Browse… (Slides or Tasks & Labels) or type its path`);
          continue;
        }
        paths.push(
          await pathOfDroppedFile(item.file, (sent, total) => {
            progress.value = `Sending ${item.file.name}: ${total ? Math.floor((100 * sent) / total) : 100}%`;
          }),
        );
      } catch (err) {
        refused.push(toCallError(err, 'file.route').message);
      }
    }
    return paths;
  }

  /** Starts what the plan says; returns the area that shows the result. */
  async function carryOut(plan: DropPlan, done: string[], refused: string[]): Promise<DropArea | null> {
    const [projectFile] = plan.projects;
    if (projectFile) {
      if (await project.open(projectFile)) done.push(`Opened ${baseName(projectFile)}`);
      else refused.push(project.error?.message ?? `${baseName(projectFile)}: could not be opened`);
    }
    if (plan.slides.length) {
      const result = await useSlidesStore().importPaths(plan.slides);
      if (result) {
        done.push(`${result.imported.length} slide${result.imported.length === 1 ? '' : 's'} imported`);
        refused.push(...result.failed.map((f) => f.message));
      } else refused.push(useSlidesStore().error?.message ?? 'slides could not be imported');
    }
    const backbones = useBackbonesStore();
    for (const path of plan.backbones) {
      const imported = await backbones.importBackbone({ path });
      if (imported) done.push(`Backbone ${imported.name} imported`);
      else refused.push(backbones.importError?.message ?? `${baseName(path)}: not imported`);
    }
    const [labelFile, ...moreLabels] = plan.labels;
    if (labelFile) {
      pendingLabelFile.value = labelFile;
      done.push(`${baseName(labelFile)}: choose its task (and slide) under Import labels, then press Import labels`);
    }
    const [patchFolder, ...moreFolders] = plan.patchFolders;
    if (patchFolder) {
      pendingPatchFolder.value = patchFolder;
      done.push(`${baseName(patchFolder)}: name its task under Patch folder, then press Import folder`);
    }
    for (const extra of [...moreLabels, ...moreFolders]) refused.push(`${baseName(extra)}: drop label files and patch folders one at a time`);
    refused.push(...plan.refused.map((r) => r.reason));
    return labelFile || patchFolder ? 'tasks' : plan.slides.length ? 'slides' : plan.backbones.length ? 'backbones' : null;
  }

  /** Imports what was dropped; resolves to the area the user should see next (null: stay). */
  async function drop(items: readonly DroppedItem[]): Promise<DropArea | null> {
    if (busy.value || items.length === 0) return null;
    let area: DropArea | null = null;
    busy.value = true;
    const done: string[] = [];
    const refused: string[] = [];
    try {
      const paths = await pathsOf(items, refused);
      progress.value = '';
      if (paths.length) area = await carryOut(await call('file.route', { paths }), done, refused);
    } catch (err) {
      refused.push(toCallError(err, 'file.route').message);
    } finally {
      busy.value = false;
      progress.value = '';
      outcome.value = { projectPath: current.value?.path ?? null, done, refused };
    }
    return area;
  }

  function dismiss(): void {
    outcome.value = null;
  }

  return { busy, progress, outcome, visibleOutcome, pendingLabelFile, pendingPatchFolder, drop, dismiss };
});
