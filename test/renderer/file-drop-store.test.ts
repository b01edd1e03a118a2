import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { MAX_RECENT_PATHS, withRecentPath } from '../../src-renderer/src/composables/use-recent-paths';
import { useFileDropStore } from '../../src-renderer/src/stores/file-drop-store';
import { useProjectStore } from '../../src-renderer/src/stores/project-store';
import { InMemoryBridge, projectSummary } from './in-memory-bridge';

describe('the drop store', () => {
  let bridge: InMemoryBridge;

  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = new InMemoryBridge();
    // As Electron's preload does: a dropped File's path comes from the shell.
    Object.assign(bridge, { pathForFile: (file: File) => `/drop/${file.name}` });
    installBridge(bridge);
    useProjectStore().current = projectSummary('/p/one.histo');
  });

  it('routes through file.route, imports slides, hands label files to Tasks, and keeps refusals', async () => {
    bridge
      .handle('file.route', () => ({ slides: ['/drop/a.svs'], patchFolders: [], backbones: [], labels: ['/drop/t.geojson'], projects: [], refused: [{ path: '/drop/x.doc', reason: 'x.doc: not a slide' }] }))
      .handle('slide.import', () => ({ imported: [], failed: [{ path: '/drop/a.svs', message: '/drop/a.svs: not a TIFF' }] }))
      .handle('project.current', () => projectSummary('/p/one.histo'));
    const store = useFileDropStore();
    const area = await store.drop(['a.svs', 't.geojson', 'x.doc'].map((name) => ({ file: new File(['x'], name), isFolder: false })));
    expect(bridge.calls.find((c) => c.method === 'file.route')?.input).toEqual({ paths: ['/drop/a.svs', '/drop/t.geojson', '/drop/x.doc'] });
    expect(bridge.calls.find((c) => c.method === 'slide.import')?.input).toEqual({ paths: ['/drop/a.svs'] });
    expect(area).toBe('tasks');
    expect(store.pendingLabelFile).toBe('/drop/t.geojson');
    expect(store.visibleOutcome?.done[0]).toBe('0 slides imported');
    expect(store.visibleOutcome?.refused).toEqual(['/drop/a.svs: not a TIFF', 'x.doc: not a slide']);

    // Another project open: the banner is not shown there.
    useProjectStore().current = projectSummary('/p/two.histo');
    expect(store.visibleOutcome).toBeNull();
  });

  it('keeps the recent paths newest first, once each, bounded', () => {
    let list: string[] = [];
    for (let i = 0; i < MAX_RECENT_PATHS + 3; i++) list = withRecentPath(list, `/s/${i}.svs`);
    list = withRecentPath(list, ' /s/5.svs ');
    expect(list[0]).toBe('/s/5.svs');
    expect(list).toHaveLength(MAX_RECENT_PATHS);
    expect(new Set(list).size).toBe(list.length);
    expect(withRecentPath(list, '   ')).toEqual(list);
  });
});
