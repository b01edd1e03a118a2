import OpenSeadragon from 'openseadragon';
import { storeToRefs } from 'pinia';
import { onBeforeUnmount, watch, type ShallowRef } from 'vue';
import type { SlideSummary } from '../../../src-shared/contract';
import { classColor } from '../../../src-shared/domain/class-colors';
import { brushPolygons, closedRing, pointInPolygons, rectanglePolygon, type Polygon } from '../../../src-shared/domain/polygon-geometry';
import { useAnnotationsStore } from '../stores/annotations-store';
import { clearedOverlay } from './overlay-canvas';

interface CanvasEvent {
  position: OpenSeadragon.Point;
  quick?: boolean;
  shift?: boolean;
  preventDefaultAction: boolean;
}

type Drawing =
  | { kind: 'rectangle'; start: [number, number]; end: [number, number] }
  | { kind: 'move'; id: number; start: [number, number]; end: [number, number]; polygons: Polygon[] }
  | { kind: 'brush'; path: Array<[number, number]>; radius: number }
  | { kind: 'polygon'; points: Array<[number, number]>; hover: [number, number] | null };

/** Screen pixels within which a click on the first vertex closes a polygon. */
const CLOSE_DISTANCE = 10;

/**
 * Annotation on a deep-zoom viewer: the annotations of the task drawn over the slide in their class
 * colours, and the mouse drawing new ones with the store's tool (drag a rectangle, click the
 * corners of a polygon and double-click or click the first corner to close it, paint with the
 * brush) or labelling the clicked tile. With the pan tool a click selects an annotation and a drag
 * that starts on the selected one moves it.
 */
export function useAnnotationLayer(viewer: ShallowRef<OpenSeadragon.Viewer | null>, slide: () => SlideSummary) {
  const store = useAnnotationsStore();
  const { annotations, labelledTiles, tool, selectedId, classes, className, brushRadius } = storeToRefs(store);
  const canvas = document.createElement('canvas');
  canvas.className = 'annotation-layer';
  let drawing: Drawing | null = null;

  /** The slide's level-0 → screen mapping of the current view (no rotation in our viewers). */
  function mapping(): { x0: number; y0: number; scale: number } | null {
    const item = viewer.value?.world.getItemAt(0);
    if (!item) return null;
    const origin = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(0, 0));
    const corner = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(slide().width, 0));
    return { x0: origin.x, y0: origin.y, scale: (corner.x - origin.x) / slide().width };
  }

  function toSlide(position: OpenSeadragon.Point): [number, number] {
    const item = viewer.value!.world.getItemAt(0)!;
    const point = item.viewerElementToImageCoordinates(position);
    return [point.x, point.y];
  }

  function colourOf(name: string): string {
    return classColor(Math.max(0, classes.value.indexOf(name))).hex;
  }

  function tracePolygons(ctx: CanvasRenderingContext2D, polygons: readonly Polygon[], map: { x0: number; y0: number; scale: number }): void {
    ctx.beginPath();
    for (const polygon of polygons) {
      for (const ring of polygon) {
        ring.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(map.x0 + x * map.scale, map.y0 + y * map.scale) : ctx.lineTo(map.x0 + x * map.scale, map.y0 + y * map.scale)));
        ctx.closePath();
      }
    }
  }

  function redraw(): void {
    const osd = viewer.value;
    const host = osd?.element;
    const map = mapping();
    if (!osd || !host) return;
    const frame = clearedOverlay(canvas, host);
    if (!frame || !map) return;
    const { ctx, width, height } = frame;
    // Labelled tiles first, as faint squares inset by a pixel so neighbours stay apart.
    for (const tile of labelledTiles.value) {
      const [x, y, side] = [map.x0 + tile.x * map.scale, map.y0 + tile.y * map.scale, tile.width * map.scale];
      if (x > width || y > height || x + side < 0 || y + side < 0) continue;
      ctx.fillStyle = colourOf(tile.className);
      ctx.globalAlpha = 0.35;
      ctx.fillRect(x + 1, y + 1, Math.max(1, side - 2), Math.max(1, tile.height * map.scale - 2));
    }
    ctx.globalAlpha = 1;
    for (const annotation of annotations.value) {
      if (annotation.slideId !== slide().id) continue;
      const colour = colourOf(annotation.className);
      tracePolygons(ctx, annotation.polygons, map);
      ctx.globalAlpha = 0.22;
      ctx.fillStyle = colour;
      ctx.fill('evenodd');
      ctx.globalAlpha = 1;
      ctx.strokeStyle = colour;
      ctx.lineWidth = annotation.id === selectedId.value ? 3.5 : 1.75;
      ctx.setLineDash(annotation.id === selectedId.value ? [6, 3] : []);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    const shape = drawing ? shapeOf(drawing) : null;
    if (shape) {
      tracePolygons(ctx, shape, map);
      ctx.globalAlpha = 0.25;
      ctx.fillStyle = colourOf(className.value ?? '');
      ctx.fill('nonzero');
      ctx.globalAlpha = 1;
      ctx.strokeStyle = '#1d2733';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }

  /** The polygons a drawing stands for (open polygons are previewed closed through the cursor). */
  function shapeOf(current: Drawing): Polygon[] | null {
    if (current.kind === 'rectangle') return [rectanglePolygon(current.start[0], current.start[1], current.end[0], current.end[1])];
    if (current.kind === 'brush') return brushPolygons(current.path, current.radius);
    if (current.kind === 'move') return translated(current.polygons, current.end[0] - current.start[0], current.end[1] - current.start[1]);
    const points = current.hover ? [...current.points, current.hover] : current.points;
    return points.length >= 2 ? [[closedRing(points)]] : null;
  }

  function translated(polygons: readonly Polygon[], dx: number, dy: number): Polygon[] {
    return polygons.map((polygon) => polygon.map((ring) => ring.map(([x, y]) => [x + dx, y + dy] as [number, number])));
  }

  async function finish(): Promise<void> {
    const current = drawing;
    drawing = null;
    redraw();
    if (!current) return;
    if (current.kind === 'polygon') {
      if (current.points.length < 3) return;
      await store.create('polygon', [[closedRing(current.points)]]);
    } else if (current.kind === 'move') {
      const [dx, dy] = [current.end[0] - current.start[0], current.end[1] - current.start[1]];
      if (Math.hypot(dx, dy) < 1) return;
      await store.update(current.id, { polygons: translated(current.polygons, dx, dy) });
    } else if (current.kind === 'rectangle') {
      const [[ax, ay], [bx, by]] = [current.start, current.end];
      if (Math.abs(bx - ax) < 1 || Math.abs(by - ay) < 1) return;
      await store.create('rectangle', [rectanglePolygon(ax, ay, bx, by)]);
    } else {
      await store.create('brush', brushPolygons(current.path, current.radius));
    }
  }

  function cancel(): void {
    drawing = null;
    redraw();
  }

  function attach(osd: OpenSeadragon.Viewer): void {
    osd.canvas.appendChild(canvas);
    for (const event of ['update-viewport', 'resize', 'open'] as const) osd.addHandler(event, redraw);
    osd.addHandler('canvas-press', (e) => {
      const event = e as unknown as CanvasEvent;
      const at = toSlide(event.position);
      // With the pan tool, a drag that starts on the selected annotation moves it.
      const chosen = store.selected;
      if (tool.value === 'pan' && chosen && chosen.slideId === slide().id && pointInPolygons(at[0], at[1], chosen.polygons)) {
        drawing = { kind: 'move', id: chosen.id, start: at, end: at, polygons: chosen.polygons };
        return;
      }
      if (!store.canDraw) return;
      if (tool.value === 'rectangle') drawing = { kind: 'rectangle', start: at, end: at };
      if (tool.value === 'brush') {
        const map = mapping();
        drawing = { kind: 'brush', path: [at], radius: map && map.scale > 0 ? brushRadius.value / map.scale : brushRadius.value };
      }
    });
    osd.addHandler('canvas-drag', (e) => {
      const event = e as unknown as CanvasEvent;
      if (!drawing || drawing.kind === 'polygon') return;
      event.preventDefaultAction = true; // drawing, not panning
      const at = toSlide(event.position);
      if (drawing.kind === 'rectangle' || drawing.kind === 'move') drawing.end = at;
      else {
        // Points closer than half the radius add nothing but vertices.
        const last = drawing.path[drawing.path.length - 1]!;
        if (Math.hypot(at[0] - last[0], at[1] - last[1]) >= drawing.radius / 2) drawing.path.push(at);
      }
      redraw();
    });
    osd.addHandler('canvas-release', () => {
      if (drawing && drawing.kind !== 'polygon') void finish();
    });
    osd.addHandler('canvas-click', (e) => {
      const event = e as unknown as CanvasEvent;
      if (!event.quick) return;
      const at = toSlide(event.position);
      if (tool.value === 'tile') return void store.labelTile(Math.floor(at[0]), Math.floor(at[1]));
      if (tool.value === 'polygon' && store.canDraw) {
        if (!drawing || drawing.kind !== 'polygon') drawing = { kind: 'polygon', points: [], hover: null };
        const first = drawing.points[0];
        const map = mapping();
        if (first && map && drawing.points.length >= 3 && Math.hypot(at[0] - first[0], at[1] - first[1]) * map.scale <= CLOSE_DISTANCE) return void finish();
        drawing.points.push(at);
        redraw();
        return;
      }
      if (tool.value === 'pan') {
        const hit = [...annotations.value].reverse().find((a) => a.slideId === slide().id && pointInPolygons(at[0], at[1], a.polygons));
        selectedId.value = hit?.id ?? null;
      }
    });
    // While drawing, a double-click closes the polygon instead of zooming.
    osd.addHandler('canvas-double-click', (e) => {
      if (tool.value !== 'pan') (e as unknown as CanvasEvent).preventDefaultAction = true;
    });
    osd.canvas.addEventListener('dblclick', () => {
      if (drawing?.kind !== 'polygon') return;
      // The double-click's own clicks added its point twice.
      const points = drawing.points;
      while (points.length >= 2 && Math.hypot(points.at(-1)![0] - points.at(-2)![0], points.at(-1)![1] - points.at(-2)![1]) < 1e-6) points.pop();
      void finish();
    });
    // The open polygon follows the cursor (a plain listener: OpenSeadragon's trackers are its own).
    osd.canvas.addEventListener('pointermove', (event) => {
      if (drawing?.kind !== 'polygon') return;
      const box = osd.canvas.getBoundingClientRect();
      drawing.hover = toSlide(new OpenSeadragon.Point(event.clientX - box.left, event.clientY - box.top));
      redraw();
    });
  }

  watch(viewer, (osd) => osd && attach(osd), { immediate: true });
  watch([annotations, labelledTiles, selectedId, classes], redraw, { deep: false });
  // Another tool drops a half-drawn shape; the pan tool gives the mouse back to OpenSeadragon.
  watch(tool, () => cancel());

  function onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
    if (event.key === 'Escape' && drawing) cancel();
    else if (event.key === 'Enter' && drawing?.kind === 'polygon') void finish();
    else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      void store.undo();
    } else if ((event.key === 'Delete' || event.key === 'Backspace') && selectedId.value !== null) void store.remove(selectedId.value);
  }
  window.addEventListener('keydown', onKey);
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));

  return { redraw, finish, cancel };
}
