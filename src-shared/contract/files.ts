import { z } from '../zod';
import { FilePath } from './project';

export const FileKindName = z.enum(['slide', 'backbone', 'labels', 'project']);

/**
 * A native open or save dialog (Electron only; the browser uses `file.list`). `accept` narrows
 * the filter to the kinds the field takes; no `accept` shows every file.
 */
export const PickPathRequest = z.strictObject({
  mode: z.enum(['open-file', 'open-files', 'open-folder', 'save-file']),
  accept: z.array(FileKindName).max(4).optional(),
  title: z.string().min(1).max(200).optional(),
  defaultPath: FilePath.optional(),
});
export type PickPathRequest = z.input<typeof PickPathRequest>;

/** The chosen paths; empty when the user cancelled. */
export const PickPathResult = z.object({ paths: z.array(z.string()) });
export type PickPathResult = z.infer<typeof PickPathResult>;

export const FolderEntry = z.object({
  name: z.string(),
  path: z.string(),
  /** 'folder', or what the app can do with the file. */
  kind: z.union([z.literal('folder'), FileKindName]),
  /** File size in bytes; null for folders. */
  size: z.number().int().nullable(),
});
export type FolderEntry = z.infer<typeof FolderEntry>;

export const FolderListing = z.object({
  dir: z.string(),
  /** The folder above, or null at a file system root. */
  parent: z.string().nullable(),
  /** Folders and the supported files, folders first; special files and hidden entries never. */
  entries: z.array(FolderEntry),
  /** True when the folder held more entries than one listing returns. */
  truncated: z.boolean(),
  /** Places to start from: the home folder and the open project's folder. */
  places: z.array(z.object({ name: z.string(), path: z.string() })),
});
export type FolderListing = z.infer<typeof FolderListing>;

/** Where each dropped or picked path goes; paths nothing can import are refused with the reason. */
export const DropPlan = z.object({
  slides: z.array(z.string()),
  patchFolders: z.array(z.string()),
  backbones: z.array(z.string()),
  labels: z.array(z.string()),
  projects: z.array(z.string()),
  refused: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type DropPlan = z.infer<typeof DropPlan>;

export const fileMethods = {
  'file.pick': { input: PickPathRequest, output: PickPathResult },
  /** The file browser of the browser mode: one folder's sub-folders and supported files. */
  'file.list': { input: z.strictObject({ dir: FilePath.optional(), kinds: z.array(FileKindName).max(4).optional() }), output: FolderListing },
  /** Routes dropped paths to the import each needs (by extension and, for folders, by content). */
  'file.route': { input: z.strictObject({ paths: z.array(FilePath).min(1).max(1000) }), output: DropPlan },
} as const;
