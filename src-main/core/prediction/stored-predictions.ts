import type { ProjectStore } from '../project/project-store';
import { PredictionsRepo } from '../project/repos/predictions-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { loadSharp } from '../slides/sharp-loader';
import { loadHead } from '../training/heads-repo';
import { renderHeatmap } from './heatmap';
import { defaultThreshold, positiveClassOf } from './predict-slides';
import { summarizeSlide } from './slide-summary';
import { loadSlidePredictions } from './slide-predictions';

/** Slides a head has predicted, each summarised again at `threshold` (default: the head's own). */
export function predictedSlides(store: ProjectStore, headId: number, threshold?: number) {
  const { head, summary } = loadHead(store, headId);
  const positive = positiveClassOf(head.classes, summary);
  const cut = threshold ?? defaultThreshold(summary);
  const slides = new PredictionsRepo(store.db).predictedSlides(headId);
  return {
    classes: head.classes,
    positive: head.classes[positive]!,
    threshold: cut,
    slides: slides.map((s) => {
      const tiles = loadSlidePredictions(store, headId, s.id);
      const scores = Float32Array.from(tiles, (t) => t.probs[positive]!);
      const area = s.mppX !== null && s.mppY !== null && tiles[0] ? ((tiles[0].width * s.mppX) / 1000) * ((tiles[0].height * s.mppY) / 1000) : null;
      return { slideId: s.id, path: s.path, width: s.width, height: s.height, ...summarizeSlide(scores, cut, 10, area) };
    }),
  };
}

/** The heatmap of one class of a head over one slide, as a transparent PNG aligned with the slide. */
export async function heatmapPng(store: ProjectStore, headId: number, slideId: number, classIndex: number | undefined, maxSide = 2048): Promise<Buffer | null> {
  const { head, summary } = loadHead(store, headId);
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
