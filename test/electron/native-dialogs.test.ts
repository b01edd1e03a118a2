import { describe, expect, it } from 'vitest';
import { dialogFor, pickedPaths, withNativeDialogs, type NativeDialogRequest } from '../../src-main/electron/native-dialogs';
import type { Dispatch } from '../../src-main/core/dispatch';

describe('native dialogs behind file.pick', () => {
  it('builds an open dialog with a filter per accepted kind and All files last', () => {
    const request = dialogFor({ mode: 'open-file', accept: ['slide', 'backbone'], title: 'Choose a slide' });
    expect(request.kind).toBe('open');
    expect(request.options.title).toBe('Choose a slide');
    expect(request.options.properties).toEqual(['openFile']);
    expect(request.options.filters?.[0]?.extensions).toContain('svs');
    expect(request.options.filters?.[0]?.extensions).not.toContain('.svs');
    expect(request.options.filters?.[1]).toEqual({ name: 'ONNX backbones', extensions: ['onnx'] });
    expect(request.options.filters?.at(-1)).toEqual({ name: 'All files', extensions: ['*'] });
  });

  it('builds folder, multi-file and save dialogs', () => {
    expect(dialogFor({ mode: 'open-folder' })).toEqual({ kind: 'open', options: { properties: ['openDirectory', 'createDirectory'] } });
    expect(dialogFor({ mode: 'open-files' }).options.properties).toEqual(['openFile', 'multiSelections']);
    const save = dialogFor({ mode: 'save-file', accept: ['labels'], defaultPath: '/tmp/out.geojson' });
    expect(save.kind).toBe('save');
    expect(save.options.defaultPath).toBe('/tmp/out.geojson');
    expect(save.options.properties).toEqual(['createDirectory', 'showOverwriteConfirmation']);
  });

  it('reads what open and save dialogs return, and a cancel as no path', () => {
    expect(pickedPaths({ canceled: true, filePaths: ['/x'] })).toEqual({ paths: [] });
    expect(pickedPaths({ canceled: false, filePaths: ['/a', '/b'] })).toEqual({ paths: ['/a', '/b'] });
    expect(pickedPaths({ canceled: false, filePath: '/out.csv' })).toEqual({ paths: ['/out.csv'] });
    expect(pickedPaths({ canceled: false, filePath: '' })).toEqual({ paths: [] });
  });

  it('validates file.pick input before any dialog opens, and passes other calls to the core', async () => {
    const shown: NativeDialogRequest[] = [];
    const core: Dispatch = async (method) => ({ ok: true, result: `core:${String(method)}` });
    const dispatch = withNativeDialogs(core, async (request) => {
      shown.push(request);
      return { canceled: false, filePaths: ['/picked.svs'] };
    });
    expect(await dispatch('file.pick', { mode: 'open-file', accept: ['slide'] })).toEqual({ ok: true, result: { paths: ['/picked.svs'] } });
    const refused = await dispatch('file.pick', { mode: 'delete-everything' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('VALIDATION');
    const extra = await dispatch('file.pick', { mode: 'open-file', shell: 'rm -rf /' });
    expect(extra.ok).toBe(false);
    expect(shown).toHaveLength(1);
    expect(await dispatch('app.info', {})).toEqual({ ok: true, result: 'core:app.info' });
  });

  it('turns a dialog that throws into an error envelope', async () => {
    const dispatch = withNativeDialogs(async () => ({ ok: true, result: null }), async () => {
      throw new Error('no display');
    });
    expect(await dispatch('file.pick', { mode: 'open-folder' })).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'file.pick: no display' } });
  });
});
