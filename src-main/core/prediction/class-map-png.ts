import { classColor } from '../../../src-shared/domain/class-colors';
import type { ProjectStore } from '../project/project-store';
import { loadSharp } from '../slides/sharp-loader';
import { loadHead } from '../training/heads-repo';
import { renderClassMap } from './heatmap';
import { loadSlidePredictions } from './slide-predictions';

/**
 * The class map of a head over one slide (each tile in its argmax class's colour, the colours of
 * the UI's legend and of the GeoJSON exports), as a transparent PNG aligned with the slide; null
 * when the head has not predicted the slide.
 */
export async function classMapPng(store: ProjectStore, headId: number, slideId: number, maxSide: number): Promise<Buffer | null> {
  const { head } = loadHead(store, headId);
  const slide = store.db.prepare('SELECT width, height FROM slides WHERE id = ?').get(slideId) as { width: number; height: number } | undefined;
  if (!slide) return null;
  const tiles = loadSlidePredictions(store, headId, slideId);
  if (tiles.length === 0) return null;
  const colours = head.classes.map((_, i) => classColor(i).rgb);
  const map = renderClassMap(tiles, colours, slide.width, slide.height, maxSide);
  return loadSharp()(map.data, { raw: { width: map.width, height: map.height, channels: 4 } }).png({ compressionLevel: 3 }).toBuffer();
}
