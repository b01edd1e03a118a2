import { contract, type CallEnvelope, type PickPathResult } from '../../src-shared/contract';
import { FILE_KIND_EXTENSIONS, FILE_KIND_TITLES } from '../../src-shared/domain/file-kinds';
import type { Dispatch } from '../core/dispatch';
import { describeIssues } from '../core/dispatch';
import type { z } from '../../src-shared/zod';

type PickRequest = z.output<(typeof contract)['file.pick']['input']>;

/** The parts of Electron's OpenDialogOptions/SaveDialogOptions we set (structural: tests need no Electron). */
interface DialogBase {
  title?: string;
  defaultPath?: string;
  filters?: Array<{ name: string; extensions: string[] }>;
}

export type NativeDialogRequest =
  | { kind: 'open'; options: DialogBase & { properties: Array<'openFile' | 'openDirectory' | 'multiSelections' | 'createDirectory'> } }
  | { kind: 'save'; options: DialogBase & { properties: Array<'createDirectory' | 'showOverwriteConfirmation'> } };

/** What Electron's dialogs resolve to: open gives filePaths, save gives filePath. */
export interface NativeDialogOutcome {
  canceled: boolean;
  filePaths?: string[];
  filePath?: string;
}

/**
 * The dialog a `file.pick` call asks for: open or save, files or a folder, with a filter per
 * accepted kind (Electron wants extensions without the dot) and "All files" last.
 */
export function dialogFor(request: PickRequest): NativeDialogRequest {
  const filters = (request.accept ?? []).map((kind) => ({
    name: FILE_KIND_TITLES[kind],
    extensions: FILE_KIND_EXTENSIONS[kind].map((ext) => ext.slice(1)),
  }));
  if (filters.length) filters.push({ name: 'All files', extensions: ['*'] });
  const base: DialogBase = {};
  if (request.title) base.title = request.title;
  if (request.defaultPath) base.defaultPath = request.defaultPath;
  switch (request.mode) {
    case 'save-file':
      return { kind: 'save', options: { ...base, ...(filters.length ? { filters } : {}), properties: ['createDirectory', 'showOverwriteConfirmation'] } };
    case 'open-folder':
      return { kind: 'open', options: { ...base, properties: ['openDirectory', 'createDirectory'] } };
    case 'open-files':
      return { kind: 'open', options: { ...base, ...(filters.length ? { filters } : {}), properties: ['openFile', 'multiSelections'] } };
    case 'open-file':
      return { kind: 'open', options: { ...base, ...(filters.length ? { filters } : {}), properties: ['openFile'] } };
  }
}

/** The paths a dialog returned; none when the user cancelled. */
export function pickedPaths(outcome: NativeDialogOutcome): PickPathResult {
  if (outcome.canceled) return { paths: [] };
  if (outcome.filePath !== undefined) return { paths: outcome.filePath ? [outcome.filePath] : [] };
  return { paths: outcome.filePaths ?? [] };
}

/**
 * The shell's dispatch: `file.pick` is answered with a native dialog (input checked against the
 * contract first, like every call), everything else goes to the core unchanged.
 */
export function withNativeDialogs(coreDispatch: Dispatch, show: (request: NativeDialogRequest) => Promise<NativeDialogOutcome>): Dispatch {
  return async (method, rawInput): Promise<CallEnvelope<unknown>> => {
    if (method !== 'file.pick') return coreDispatch(method, rawInput);
    const parsed = contract['file.pick'].input.safeParse(rawInput ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'VALIDATION', message: `file.pick: invalid input: ${describeIssues(parsed.error)}` } };
    try {
      return { ok: true, result: pickedPaths(await show(dialogFor(parsed.data))) };
    } catch (err) {
      return { ok: false, error: { code: 'INTERNAL', message: `file.pick: ${err instanceof Error ? err.message : String(err)}` } };
    }
  };
}
