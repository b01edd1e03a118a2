import { z } from '../zod';
import { SlideId } from './slides';

/**
 * What lists that scale ask of the core (issue 14): the status of every slide in one call, and
 * every label of a task in a compact column layout, so that 10,000 slides or 100,000 labels cross
 * the bridge in one message the renderer can filter and sort without asking again.
 */

/** The progress of one slide file; slides with none of it are left out of the answer. */
export const SlideStatus = z.object({
  slideId: SlideId,
  /** Backbones with at least one stored embedding of the slide's tiles. */
  embedded: z.array(z.number().int()),
  /** Heads with at least one stored prediction on the slide. */
  predicted: z.array(z.number().int()),
  /** Tiles of the slide with a review decision (any head). */
  reviewed: z.number().int().nonnegative(),
});
export type SlideStatus = z.infer<typeof SlideStatus>;

export const SlideStatusList = z.object({
  /** Every backbone of the project, for the "embedded with" choice. */
  backbones: z.array(z.object({ id: z.number().int(), name: z.string() })),
  slides: z.array(SlideStatus),
});
export type SlideStatusList = z.infer<typeof SlideStatusList>;

/** The sources a label can have; unknown sources from a newer version still list. */
export const LABEL_SOURCES = ['import', 'viewer', 'review', 'search', 'map'] as const;

const Indexes = z.array(z.number().int().nonnegative());

/**
 * A task's labels as columns: row i is the label of tile `tileId[i]`, on slide
 * `slides[slide[i]]`, of class `classes[classIndex[i]]`, from `sources[source[i]]`, made at
 * `dates[date[i]]` by `authors[author[i]]`. Repeated values are stored once (a bulk import shares
 * one date), so 100,000 labels stay a few megabytes.
 */
export const TaskLabelColumns = z.object({
  task: z.string(),
  slides: z.array(z.object({ id: SlideId, path: z.string() })),
  classes: z.array(z.string()),
  sources: z.array(z.string()),
  dates: z.array(z.string()),
  authors: z.array(z.string().nullable()),
  rows: z.object({
    tileId: Indexes,
    slide: Indexes,
    classIndex: Indexes,
    source: Indexes,
    date: Indexes,
    author: Indexes,
    /** Tile position in level-0 pixels. */
    x: z.array(z.number().int()),
    y: z.array(z.number().int()),
  }),
});
export type TaskLabelColumns = z.infer<typeof TaskLabelColumns>;

export const listMethods = {
  /** Embedded, predicted and reviewed status of every slide file (patch images left out), in three grouped queries. */
  'slide.status': { input: z.strictObject({}), output: SlideStatusList },
  /** Every label of a task, as columns. */
  'label.list': { input: z.strictObject({ task: z.string().min(1).max(200) }), output: TaskLabelColumns },
} as const;
