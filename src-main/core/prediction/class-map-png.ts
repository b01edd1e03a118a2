import { classColor } from '../../../src-shared/domain/class-colors';
import type { ProjectStore } from '../project/project-store';
import { SlidesRepo } from '../project/repos/slides-repo';
import { loadSharp } from '../slides/sharp-loader';
import { renderClassMap } from './heatmap';
import { loadSlidePredictions } from './slide-predictions';

/**
 * The class map of a head over one slide (each tile in its argmax class's colour, the colours of
 * the UI's legend and of the GeoJSON exports), as a transparent PNG aligned with the slide; null
 * when the head has not predicted the slide. Class i is the i-th probability of every prediction.
 */
export async function classMapPng(store: ProjectStore, headId: number, slideId: number, maxSide: number): Promise<Buffer | null> {
  const slide = new SlidesRepo(store.db).get(slideId);
  if (!slide) return null;
  const tiles = loadSlidePredictions(store, headId, slideId);
  if (tiles.length === 0) return null;
  const colours = Array.from({ length: tiles[0]!.probs.length }, (_, i) => classColor(i).rgb);
  const map = renderClassMap(tiles, colours, slide.info.width, slide.info.height, maxSide);
  return loadSharp()(map.data, { raw: { width: map.width, height: map.height, channels: 4 } }).png({ compressionLevel: 3 }).toBuffer();
}
