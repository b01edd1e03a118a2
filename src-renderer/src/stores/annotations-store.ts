import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { Annotation, AnnotationKind, LabelledTile, MethodInput } from '../../../src-shared/contract';
import type { Polygon } from '../../../src-shared/domain/polygon-geometry';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { useProjectStore } from './project-store';
import { useTasksStore } from './tasks-store';

/** What the mouse does in the slide viewer: pan, label the tile clicked, or draw a shape. */
export type AnnotationTool = 'pan' | 'tile' | 'rectangle' | 'polygon' | 'brush';

/** One step the user can undo, holding what it takes to put things back. */
type UndoStep =
  | { kind: 'created'; id: number }
  | { kind: 'deleted'; annotation: Annotation; taskName: string }
  | { kind: 'updated'; id: number; before: { className: string; polygons: Polygon[] } };

const UNDO_DEPTH = 100;

/**
 * Annotation in the slide viewer: the chosen task, class and tool, the annotations of the viewed
 * slide in that task, and the actions on them (draw, reclassify, delete, undo, label a clicked
 * tile). Every change goes to the core at once, where the tiles under an annotation become labels.
 */
export const useAnnotationsStore = defineStore('annotations', () => {
  const tasksStore = useTasksStore();
  const taskName = ref<string | null>(null);
  const className = ref<string | null>(null);
  const tool = ref<AnnotationTool>('pan');
  /** Brush radius in screen pixels (the stroke is stored in level-0 pixels). */
  const brushRadius = ref(16);
  const slideId = ref<number | null>(null);
  const annotations = ref<Annotation[]>([]);
  /** The task's labelled tiles on the slide, whatever gave them, drawn under the annotations. */
  const labelledTiles = ref<LabelledTile[]>([]);
  const selectedId = ref<number | null>(null);
  const busy = ref(false);
  const error = ref<HistoCallError | null>(null);
  /** What the last action did, in words (tiles labelled, annotation deleted...). */
  const message = ref<string | null>(null);
  const undoSteps = ref<UndoStep[]>([]);

  const task = computed(() => tasksStore.tasks.find((t) => t.name === taskName.value) ?? null);
  const classes = computed(() => task.value?.classes ?? []);
  const canDraw = computed(() => task.value !== null && className.value !== null && slideId.value !== null);
  const selected = computed(() => annotations.value.find((a) => a.id === selectedId.value) ?? null);

  // A task chosen (or gone) keeps the class valid; the first task is the default.
  watch(
    () => tasksStore.tasks,
    (tasks) => {
      if (!tasks.some((t) => t.name === taskName.value)) taskName.value = tasks[0]?.name ?? null;
    },
    { immediate: true },
  );
  watch(
    classes,
    (names) => {
      if (!className.value || !names.includes(className.value)) className.value = names[0] ?? null;
    },
    { immediate: true },
  );
  watch([taskName, slideId], () => {
    undoSteps.value = [];
    selectedId.value = null;
    void load();
  });
  watch(
    () => useProjectStore().current?.path ?? null,
    () => {
      annotations.value = [];
      undoSteps.value = [];
      message.value = null;
      error.value = null;
    },
  );

  function remember(step: UndoStep): void {
    undoSteps.value = [...undoSteps.value.slice(-(UNDO_DEPTH - 1)), step];
  }

  async function attempt<T>(method: Parameters<typeof toCallError>[1], action: () => Promise<T>): Promise<T | null> {
    busy.value = true;
    error.value = null;
    try {
      return await action();
    } catch (err) {
      error.value = toCallError(err, method);
      return null;
    } finally {
      busy.value = false;
    }
  }

  async function load(): Promise<void> {
    const [name, slide] = [taskName.value, slideId.value];
    if (name === null || slide === null) {
      annotations.value = [];
      labelledTiles.value = [];
      return;
    }
    const listed = await attempt('annotation.list', () => call('annotation.list', { task: name, slideId: slide }));
    if (listed && name === taskName.value && slide === slideId.value) annotations.value = listed;
    await loadLabelledTiles();
  }

  async function loadLabelledTiles(): Promise<void> {
    const [name, slide] = [taskName.value, slideId.value];
    if (name === null || slide === null) return;
    const tiles = await attempt('annotation.labelledTiles', () => call('annotation.labelledTiles', { task: name, slideId: slide }));
    if (tiles && name === taskName.value && slide === slideId.value) labelledTiles.value = tiles;
  }

  /** Labels changed: the viewer redraws them and the Tasks list counts them again. */
  function labelsChanged(): void {
    void loadLabelledTiles();
    void tasksStore.load();
  }

  async function create(kind: AnnotationKind, polygons: Polygon[]): Promise<Annotation | null> {
    if (!canDraw.value) return null;
    const input: MethodInput<'annotation.create'> = { task: taskName.value!, slideId: slideId.value!, className: className.value!, kind, polygons };
    const created = await attempt('annotation.create', () => call('annotation.create', input));
    if (!created) return null;
    annotations.value = [...annotations.value, created.annotation];
    remember({ kind: 'created', id: created.annotation.id });
    message.value = `${created.labelled} ${created.labelled === 1 ? 'tile' : 'tiles'} labelled ${created.annotation.className}`;
    labelsChanged();
    return created.annotation;
  }

  async function update(id: number, change: { className?: string; polygons?: Polygon[] }, undoable = true): Promise<void> {
    const before = annotations.value.find((a) => a.id === id);
    const updated = await attempt('annotation.update', () => call('annotation.update', { id, ...change }));
    if (!updated) return;
    annotations.value = annotations.value.map((a) => (a.id === id ? updated.annotation : a));
    if (undoable && before) remember({ kind: 'updated', id, before: { className: before.className, polygons: before.polygons } });
    message.value = `${updated.labelled} ${updated.labelled === 1 ? 'tile' : 'tiles'} labelled ${updated.annotation.className}`;
    labelsChanged();
  }

  async function remove(id: number, undoable = true): Promise<void> {
    const before = annotations.value.find((a) => a.id === id);
    const deleted = await attempt('annotation.delete', () => call('annotation.delete', { id }));
    if (!deleted) return;
    annotations.value = annotations.value.filter((a) => a.id !== id);
    if (selectedId.value === id) selectedId.value = null;
    if (undoable && before && taskName.value) remember({ kind: 'deleted', annotation: before, taskName: taskName.value });
    message.value = `Annotation deleted; ${deleted.unlabelled} ${deleted.unlabelled === 1 ? 'tile' : 'tiles'} unlabelled`;
    labelsChanged();
  }

  /** Undoes the last draw, edit or delete. */
  async function undo(): Promise<void> {
    const step = undoSteps.value.at(-1);
    if (!step || busy.value) return;
    undoSteps.value = undoSteps.value.slice(0, -1);
    if (step.kind === 'created') return remove(step.id, false);
    if (step.kind === 'updated') return update(step.id, step.before, false);
    const { annotation } = step;
    const restored = await attempt('annotation.create', () =>
      call('annotation.create', { task: step.taskName, slideId: annotation.slideId, className: annotation.className, kind: annotation.kind, polygons: annotation.polygons }),
    );
    if (!restored) return;
    if (annotation.slideId === slideId.value) annotations.value = [...annotations.value, restored.annotation];
    // Later steps that named the deleted annotation now name its restored copy.
    undoSteps.value = undoSteps.value.map((s) => (s.kind !== 'deleted' && s.id === annotation.id ? { ...s, id: restored.annotation.id } : s));
    message.value = `Annotation restored; ${restored.labelled} tiles labelled ${restored.annotation.className}`;
    labelsChanged();
  }

  /** A click with the tile tool: the tile under the point (level-0 pixels) gets the chosen class. */
  async function labelTile(x: number, y: number): Promise<void> {
    if (!canDraw.value) return;
    const input = { task: taskName.value!, slideId: slideId.value!, x, y, className: className.value! };
    const labelled = await attempt('annotation.labelTile', () => call('annotation.labelTile', input));
    if (!labelled) return;
    message.value = `Tile labelled ${labelled.className}`;
    labelsChanged();
  }

  async function importFile(file: string): Promise<void> {
    if (taskName.value === null || slideId.value === null) return;
    const input = { task: taskName.value, slideId: slideId.value, file };
    const imported = await attempt('annotation.import', () => call('annotation.import', input));
    if (!imported) return;
    message.value = `${imported.annotations} annotations imported; ${imported.labelled} tiles labelled`;
    await load();
    labelsChanged();
  }

  async function exportFile(file: string): Promise<void> {
    if (taskName.value === null || slideId.value === null) return;
    const input = { task: taskName.value, slideId: slideId.value, file };
    const exported = await attempt('annotation.export', () => call('annotation.export', input));
    if (exported) message.value = `${exported.annotations} annotations written to ${exported.file}`;
  }

  return {
    taskName,
    className,
    tool,
    brushRadius,
    slideId,
    annotations,
    labelledTiles,
    selectedId,
    selected,
    busy,
    error,
    message,
    undoSteps,
    task,
    classes,
    canDraw,
    load,
    create,
    update,
    remove,
    undo,
    labelTile,
    importFile,
    exportFile,
  };
});
