import { z } from '../zod';
import { FilePath } from './project';

const Id = z.number().int().positive();
const TaskRef = z.union([Id, z.string().min(1).max(200)]);
const ClassName = z.string().trim().min(1, 'class name is empty').max(64);
/** Level-0 pixels; a little outside the slide is allowed (a drawing may overhang its edge). */
const Coordinate = z.number().finite().min(-10_000_000).max(20_000_000);
const Position = z.tuple([Coordinate, Coordinate]);
const Ring = z.array(Position).min(4, 'a ring needs at least 4 positions (closed)').max(100_000);
const Polygon = z.array(Ring).min(1).max(1_000);
/** An annotation's area: polygons (first ring the outline, the rest holes) in level-0 pixels. */
export const AnnotationPolygons = z.array(Polygon).min(1).max(20_000);

export const AnnotationKind = z.enum(['rectangle', 'polygon', 'brush', 'imported']);
export type AnnotationKind = z.infer<typeof AnnotationKind>;

export const Annotation = z.object({
  id: Id,
  taskId: Id,
  slideId: Id,
  className: z.string(),
  kind: AnnotationKind,
  polygons: AnnotationPolygons,
  author: z.string().nullable(),
  /** Tiles this annotation labels (their centre lies inside it). */
  tiles: z.number().int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Annotation = z.infer<typeof Annotation>;

/** A labelled tile of a slide in a task, drawn under the annotations so the user sees what training gets. */
export const LabelledTile = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int(), className: z.string(), source: z.string() });
export type LabelledTile = z.infer<typeof LabelledTile>;

const Labelled = z.object({ annotation: Annotation, labelled: z.number().int().min(0) });

export const annotationMethods = {
  'annotation.list': { input: z.strictObject({ task: TaskRef, slideId: Id }), output: z.array(Annotation) },
  /** Every label of the task on the slide, whatever gave it (import, viewer, review, search, map). */
  'annotation.labelledTiles': { input: z.strictObject({ task: TaskRef, slideId: Id }), output: z.array(LabelledTile) },
  /** Draws an annotation; the tiles under it become labels of its class (source `viewer`). */
  'annotation.create': {
    input: z.strictObject({ task: TaskRef, slideId: Id, className: ClassName, kind: AnnotationKind, polygons: AnnotationPolygons, author: z.string().max(200).optional() }),
    output: Labelled,
  },
  /** Moves or reclassifies an annotation; its labels follow. */
  'annotation.update': {
    input: z.strictObject({ id: Id, className: ClassName.optional(), polygons: AnnotationPolygons.optional() }),
    output: Labelled,
  },
  /** Removes an annotation and takes back the labels only it gave. */
  'annotation.delete': { input: z.strictObject({ id: Id }), output: z.object({ id: Id, unlabelled: z.number().int().min(0) }) },
  /** A click on a tile: the tile under (x, y) becomes a label of the class. */
  'annotation.labelTile': {
    input: z.strictObject({ task: TaskRef, slideId: Id, x: Coordinate, y: Coordinate, className: ClassName, author: z.string().max(200).optional() }),
    output: z.object({ tileIds: z.array(Id), className: z.string() }),
  },
  /** QuPath GeoJSON (.geojson/.json) or Aperio ImageScope XML (.xml) annotations of one slide. */
  'annotation.import': {
    input: z.strictObject({ task: TaskRef, slideId: Id, file: FilePath, author: z.string().max(200).optional() }),
    output: z.object({ file: z.string(), annotations: z.number().int(), labelled: z.number().int(), perClass: z.record(z.string(), z.number().int()) }),
  },
  /** A slide's annotations of a task as a QuPath GeoJSON FeatureCollection. */
  'annotation.export': {
    input: z.strictObject({ task: TaskRef, slideId: Id, file: FilePath }),
    output: z.object({ file: z.string(), annotations: z.number().int() }),
  },
} as const;
