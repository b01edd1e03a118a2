import type { AnnotationKind } from '../../../src-shared/contract';
import { pointInPolygons, polygonBounds, type Polygon } from '../../../src-shared/domain/polygon-geometry';
import { HistoError } from '../errors';
import { LabelsRepo } from '../project/repos/labels-repo';
import { SlideTiles } from '../labels/slide-tiles';
import { recordAudit } from '../project/repos/audit-repo';
import type { ProjectStore } from '../project/project-store';
import { AnnotationsRepo, type LabelledTileRow, type StoredAnnotation } from '../project/repos/annotations-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { resolveTask } from '../search/resolve-task';

/** More vertices than any hand-drawn or QuPath-exported annotation has; bounds the work of one call. */
const MAX_VERTICES = 2_000_000;

interface SlideBox {
  id: number;
  path: string;
  width: number;
  height: number;
}

export function requireSlide(store: ProjectStore, slideId: number): SlideBox {
  const slide = new SlidesRepo(store.db).get(slideId);
  if (!slide) throw new HistoError('NOT_FOUND', `no slide ${slideId} in this project`);
  return { id: slide.id, path: slide.path, width: slide.info.width, height: slide.info.height };
}

function checkClass(task: ReturnType<typeof resolveTask>, className: string): string {
  const name = className.trim();
  if (!task.classes.includes(name)) throw new HistoError('VALIDATION', `task '${task.name}' has no class '${name.slice(0, 80)}' (classes: ${task.classes.join(', ')})`);
  return name;
}

/** Refuses an area that is empty, too large to handle, or entirely off the slide. */
export function checkPolygons(polygons: readonly Polygon[], slide: SlideBox, where: string): void {
  let vertices = 0;
  for (const polygon of polygons) for (const ring of polygon) vertices += ring.length;
  if (vertices > MAX_VERTICES) throw new HistoError('BAD_INPUT', `${where}: ${vertices} vertices is more than the ${MAX_VERTICES} an annotation may have`);
  const box = polygonBounds(polygons);
  if (!(box.maxX > box.minX && box.maxY > box.minY)) throw new HistoError('BAD_INPUT', `${where}: the annotation has no area`);
  if (box.maxX <= 0 || box.maxY <= 0 || box.minX >= slide.width || box.minY >= slide.height) {
    throw new HistoError('BAD_INPUT', `${where}: the annotation lies outside the slide (${slide.width} x ${slide.height} px, level-0 pixels)`);
  }
}

/**
 * The annotations of the viewer and the labels they give: the tiles whose centre lies inside an
 * annotation are labels of its class with source `viewer`. Editing or deleting an annotation takes
 * back its labels, leaving a tile to the latest other annotation that covers it, if any. Every
 * change is one transaction.
 */
export class ViewerAnnotations {
  private readonly annotations: AnnotationsRepo;
  private readonly labels: LabelsRepo;

  constructor(private readonly store: ProjectStore) {
    this.annotations = new AnnotationsRepo(store.db);
    this.labels = new LabelsRepo(store.db);
  }

  list(taskRef: number | string, slideId: number): StoredAnnotation[] {
    const task = resolveTask(this.store, taskRef);
    requireSlide(this.store, slideId);
    return this.annotations.list(task.id, slideId);
  }

  labelledTiles(taskRef: number | string, slideId: number): LabelledTileRow[] {
    const task = resolveTask(this.store, taskRef);
    requireSlide(this.store, slideId);
    return this.annotations.labelledTiles(task.id, slideId);
  }

  create(request: { task: number | string; slideId: number; className: string; kind: AnnotationKind; polygons: Polygon[]; author: string | null }): { annotation: StoredAnnotation; labelled: number } {
    const task = resolveTask(this.store, request.task);
    const className = checkClass(task, request.className);
    const slide = requireSlide(this.store, request.slideId);
    checkPolygons(request.polygons, slide, `annotation on ${slide.path}`);
    return this.store.db.transaction(() => {
      const id = this.annotations.insert({ taskId: task.id, slideId: slide.id, className, kind: request.kind, polygons: request.polygons, author: request.author });
      const labelled = this.labelTilesUnder(task.id, id, slide.id, className, request.polygons, request.author);
      recordAudit(this.store.db, 'annotation.create', { task: task.name, slide: slide.path, className, kind: request.kind, tiles: labelled });
      return { annotation: this.annotations.get(id)!, labelled };
    })();
  }

  update(id: number, change: { className?: string; polygons?: Polygon[] }): { annotation: StoredAnnotation; labelled: number } {
    const current = this.require(id);
    const task = resolveTask(this.store, current.taskId);
    const className = change.className === undefined ? current.className : checkClass(task, change.className);
    const polygons = change.polygons ?? current.polygons;
    const slide = requireSlide(this.store, current.slideId);
    checkPolygons(polygons, slide, `annotation ${id} on ${slide.path}`);
    return this.store.db.transaction(() => {
      this.annotations.update(id, className, polygons);
      this.takeBackLabels(current);
      const labelled = this.labelTilesUnder(task.id, id, slide.id, className, polygons, current.author);
      recordAudit(this.store.db, 'annotation.update', { task: task.name, slide: slide.path, annotation: id, className, tiles: labelled });
      return { annotation: this.annotations.get(id)!, labelled };
    })();
  }

  delete(id: number): { id: number; unlabelled: number } {
    const current = this.require(id);
    return this.store.db.transaction(() => {
      const unlabelled = this.takeBackLabels(current);
      this.annotations.delete(id);
      recordAudit(this.store.db, 'annotation.delete', { annotation: id, className: current.className, tilesUnlabelled: unlabelled });
      return { id, unlabelled };
    })();
  }

  /** A click on the slide: the tile(s) under the point become labels of the class. */
  labelTile(request: { task: number | string; slideId: number; x: number; y: number; className: string; author: string | null }): { tileIds: number[]; className: string } {
    const task = resolveTask(this.store, request.task);
    const className = checkClass(task, request.className);
    const slide = requireSlide(this.store, request.slideId);
    const tileIds = new SlideTiles(this.store.db)
      .tilesOf(slide.id)
      .filter((t) => request.x >= t.x && request.x < t.x + t.width && request.y >= t.y && request.y < t.y + t.height)
      .map((t) => t.id);
    if (tileIds.length === 0) throw new HistoError('BAD_INPUT', `no tile of ${slide.path} at (${Math.round(request.x)}, ${Math.round(request.y)}): tile or embed the slide there first`);
    this.store.db.transaction(() => {
      this.labels.upsertMany(task.id, tileIds.map((tileId) => ({ tileId, className })), 'viewer', request.author);
      recordAudit(this.store.db, 'labels.viewer', { task: task.name, slide: slide.path, className, tiles: tileIds.length });
    })();
    return { tileIds, className };
  }

  private require(id: number): StoredAnnotation {
    const annotation = this.annotations.get(id);
    if (!annotation) throw new HistoError('NOT_FOUND', `no annotation ${id} in this project`);
    return annotation;
  }

  /** Labels every tile whose centre lies inside the polygons; remembers them with the annotation. */
  private labelTilesUnder(taskId: number, annotationId: number, slideId: number, className: string, polygons: Polygon[], author: string | null): number {
    const box = polygonBounds(polygons);
    const tileIds = new SlideTiles(this.store.db)
      .tilesOf(slideId)
      .filter((t) => {
        const [cx, cy] = [t.x + t.width / 2, t.y + t.height / 2];
        return cx >= box.minX && cx <= box.maxX && cy >= box.minY && cy <= box.maxY && pointInPolygons(cx, cy, polygons);
      })
      .map((t) => t.id);
    this.annotations.setTiles(annotationId, tileIds);
    this.labels.upsertMany(taskId, tileIds.map((tileId) => ({ tileId, className })), 'viewer', author);
    return tileIds.length;
  }

  /**
   * Takes back an annotation's labels: a tile another annotation also covers gets that one's class;
   * any other tile loses its label if the viewer gave it. Returns how many tiles lost their label.
   */
  private takeBackLabels(annotation: StoredAnnotation): number {
    let unlabelled = 0;
    for (const tileId of this.annotations.tilesOf(annotation.id)) {
      const other = this.annotations.coveringClass(annotation.taskId, tileId, annotation.id);
      if (other !== undefined) this.labels.upsertMany(annotation.taskId, [{ tileId, className: other }], 'viewer', annotation.author);
      else if (this.annotations.removeViewerLabel(annotation.taskId, tileId)) unlabelled++;
    }
    this.annotations.setTiles(annotation.id, []);
    return unlabelled;
  }
}
