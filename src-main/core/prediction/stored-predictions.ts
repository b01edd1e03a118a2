import type { ProjectStore } from '../project/project-store';
import { PredictionsRepo } from '../project/repos/predictions-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { loadSharp } from '../slides/sharp-loader';
import { HeadsRepo } from '../project/repos/heads-repo';
import { renderHeatmap } from './heatmap';
import { positiveClassOf } from './predict-slides';
import { focusDefaultThreshold, resolveFocus } from './class-focus';
import { TaskDetectionRepo } from '../project/repos/task-detection-repo';
import { argmaxOf, focusName, focusScore } from '../../../src-shared/domain/class-focus';
import { summarizeSlide } from './slide-summary';
import { loadSlidePredictions } from './slide-predictions';

/**
 * Slides a head has predicted, each summarised again for a class of interest (`focus`: a class,
 * null for all classes, left out for the head's own) at `threshold` (default: the focus's own).
 * Densities per mm² only for tasks that count objects.
 */
export function predictedSlides(store: ProjectStore, headId: number, threshold?: number, requestedFocus?: string | null) {
  const { head, summary, listing } = new HeadsRepo(store.db).load(headId);
  const ownFocus = resolveFocus(head.classes, summary, undefined);
  const focus = resolveFocus(head.classes, summary, requestedFocus);
  const detection = new TaskDetectionRepo(store.db).isDetection(listing.taskId);
  const startAt = focusDefaultThreshold(head.classes, summary, focus);
  const cut = threshold ?? startAt;
  const slides = new PredictionsRepo(store.db).predictedSlides(headId);
  return {
    classes: head.classes,
    positive: focusName(head.classes, ownFocus),
    focus: focusName(head.classes, focus),
    threshold: cut,
    defaultThreshold: startAt,
    detection,
    slides: slides.map((s) => {
      const tiles = loadSlidePredictions(store, headId, s.id);
      const scores = Float32Array.from(tiles, (t) => focusScore(t.probs, focus));
      const perClass: Record<string, number> = Object.fromEntries(head.classes.map((c) => [c, 0]));
      for (const t of tiles) perClass[head.classes[argmaxOf(t.probs)]!]!++;
      const area = detection && s.mppX !== null && s.mppY !== null && tiles[0] ? ((tiles[0].width * s.mppX) / 1000) * ((tiles[0].height * s.mppY) / 1000) : null;
      return { slideId: s.id, path: s.path, width: s.width, height: s.height, ...summarizeSlide(scores, cut, 10, area), perClass };
    }),
  };
}

/** The heatmap of one class of a head over one slide, as a transparent PNG aligned with the slide. */
export async function heatmapPng(store: ProjectStore, headId: number, slideId: number, classIndex: number | undefined, maxSide = 2048): Promise<Buffer | null> {
  const { head, summary } = new HeadsRepo(store.db).load(headId);
  const index = classIndex ?? positiveClassOf(head.classes, summary);
  if (!Number.isInteger(index) || index < 0 || index >= head.classes.length) return null;
  const slide = new SlidesRepo(store.db).get(slideId)?.info;
  if (!slide) return null;
  const tiles = loadSlidePredictions(store, headId, slideId);
  if (tiles.length === 0) return null;
  const map = renderHeatmap(
    tiles.map((t) => ({ x: t.x, y: t.y, width: t.width, height: t.height, score: t.probs[index]! })),
    slide.width,
    slide.height,
    maxSide,
  );
  return loadSharp()(map.data, { raw: { width: map.width, height: map.height, channels: 4 } }).png({ compressionLevel: 3 }).toBuffer();
}
