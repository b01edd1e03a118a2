import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import type { Annotation } from '../../src-shared/contract';
import { rectanglePolygon } from '../../src-shared/domain/polygon-geometry';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { useAnnotationsStore } from '../../src-renderer/src/stores/annotations-store';
import { useTasksStore } from '../../src-renderer/src/stores/tasks-store';
import { InMemoryBridge } from './in-memory-bridge';

let bridge: InMemoryBridge;
/** The core's side, kept in memory: annotations by id. */
let stored: Map<number, Annotation>;
let nextId: number;

function annotation(input: { slideId: number; className: string; kind: Annotation['kind']; polygons: Annotation['polygons'] }, id = nextId++): Annotation {
  return { id, taskId: 1, slideId: input.slideId, className: input.className, kind: input.kind, polygons: input.polygons, author: null, tiles: 4, createdAt: '', updatedAt: '' };
}

beforeEach(() => {
  setActivePinia(createPinia());
  stored = new Map();
  nextId = 1;
  bridge = new InMemoryBridge();
  installBridge(bridge);
  bridge
    .handle('project.current', () => null)
    .handle('task.list', () => [{ id: 1, name: 'tissue', classes: ['tumour', 'stroma'], detection: false, labels: { perClass: {}, perSlide: [] } }])
    .handle('annotation.list', () => [...stored.values()])
    .handle('annotation.labelledTiles', () => [...stored.values()].map((a) => ({ x: 0, y: 0, width: 64, height: 64, className: a.className, source: 'viewer' })))
    .handle('annotation.create', (input) => {
      const created = annotation(input as Parameters<typeof annotation>[0]);
      stored.set(created.id, created);
      return { annotation: created, labelled: 4 };
    })
    .handle('annotation.update', (input) => {
      const { id, ...change } = input as { id: number; className?: string; polygons?: Annotation['polygons'] };
      const updated = { ...stored.get(id)!, ...change };
      stored.set(id, updated);
      return { annotation: updated, labelled: 4 };
    })
    .handle('annotation.delete', (input) => {
      const { id } = input as { id: number };
      stored.delete(id);
      return { id, unlabelled: 4 };
    });
});

/** The last call of a method (every change also reloads the task list, for its label counts). */
const lastCall = (method: string) => bridge.calls.filter((c) => c.method === method).at(-1);

async function readyStore() {
  await useTasksStore().load();
  const store = useAnnotationsStore();
  store.slideId = 3;
  await nextTick();
  await store.load();
  return store;
}

describe('useAnnotationsStore', () => {
  it('draws with the chosen task and class, and undoes a draw, an edit and a delete in turn', async () => {
    const store = await readyStore();
    expect([store.taskName, store.className]).toEqual(['tissue', 'tumour']);
    const square = [rectanglePolygon(0, 0, 64, 64)];
    const drawn = (await store.create('rectangle', square))!;
    expect(lastCall('annotation.create')).toMatchObject({ method: 'annotation.create', input: { task: 'tissue', slideId: 3, className: 'tumour', kind: 'rectangle' } });
    expect(store.message).toBe('4 tiles labelled tumour');
    await vi.waitFor(() => expect(store.labelledTiles.map((t) => t.className)).toEqual(['tumour']));
    expect(store.error).toBeNull();

    await store.update(drawn.id, { className: 'stroma' });
    await store.remove(drawn.id);
    expect(store.annotations).toEqual([]);

    // Undo the delete: the annotation comes back (as a new one) with its class and shape.
    await store.undo();
    expect(store.annotations.map((a) => [a.className, a.polygons])).toEqual([['stroma', square]]);
    const restoredId = store.annotations[0]!.id;
    expect(restoredId).not.toBe(drawn.id);
    // Undo the edit: applied to the restored copy, back to the first class.
    await store.undo();
    expect(lastCall('annotation.update')).toMatchObject({ method: 'annotation.update', input: { id: restoredId, className: 'tumour' } });
    expect(store.annotations[0]!.className).toBe('tumour');
    // Undo the draw: gone, and nothing is left to undo.
    await store.undo();
    expect(stored.size).toBe(0);
    expect(store.undoSteps).toEqual([]);
  });

  it('keeps an error from the core and draws nothing without a class', async () => {
    const store = await readyStore();
    bridge.handle('annotation.create', () => {
      throw { code: 'BAD_INPUT', message: 'annotation on s.svs: the annotation lies outside the slide' };
    });
    expect(await store.create('polygon', [rectanglePolygon(9000, 0, 9100, 50)])).toBeNull();
    expect(store.error?.message).toContain('outside the slide');
    expect(store.undoSteps).toEqual([]);
    store.className = null;
    const calls = bridge.calls.length;
    expect(await store.create('rectangle', [rectanglePolygon(0, 0, 10, 10)])).toBeNull();
    expect(bridge.calls.length).toBe(calls);
  });
});
