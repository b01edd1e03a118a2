import { slideImagePaths } from '../../../src-shared/contract';
import { HEATMAP_MAX_SIDE } from '../../../src-shared/domain/heatmap';

/**
 * Where the viewer's images come from: the `histo:` protocol in Electron, the server's own origin
 * in a browser (authenticated by the HttpOnly cookie set when the page was opened). Images are
 * plain URLs, never bytes over the bridge.
 */
function imageBase(): string {
  return window.histo ? 'histo://' : `${window.location.origin}/`;
}

/** A URL of one of a slide's images; `?v=` (its content fingerprint) keeps caches from mixing slides. */
function imageUrl(path: string, fingerprint: string): string {
  return `${imageBase()}${path}?v=${encodeURIComponent(fingerprint.slice(0, 16))}`;
}

/**
 * Width of the heatmap image in slide pixels: the core rasterises it at a whole-pixel size that
 * may overhang the slide's right edge by less than one heatmap pixel, and the overlay must be
 * placed with the same overhang to stay aligned.
 */
export function heatmapExtent(slide: { width: number; height: number }): number {
  const downsample = Math.max(1, Math.max(slide.width, slide.height) / HEATMAP_MAX_SIDE);
  return Math.max(1, Math.ceil(slide.width / downsample)) * downsample;
}

export const slideImageUrls = {
  tile: (slide: { id: number; fingerprint: string }, level: number, column: number, row: number) =>
    imageUrl(slideImagePaths.tile(slide.id, level, column, row), slide.fingerprint),
  thumbnail: (slide: { id: number; fingerprint: string }) => imageUrl(slideImagePaths.thumbnail(slide.id), slide.fingerprint),
  tissue: (slide: { id: number; fingerprint: string }) => imageUrl(slideImagePaths.tissue(slide.id), slide.fingerprint),
  /** A level-0 rectangle of the slide at most `size` px on its longer side (a gallery tile). */
  region: (slide: { id: number; fingerprint: string }, rect: { x: number; y: number; width: number; height: number }, size: number) =>
    `${imageUrl(`slides/${slide.id}/region.jpg`, slide.fingerprint)}&x=${rect.x}&y=${rect.y}&w=${rect.width}&h=${rect.height}&size=${size}`,
  /**
   * A head's heatmap over the slide for one class; `version` changes whenever the head predicts
   * again (the image changes under the same path).
   */
  heatmap: (headId: number, slide: { id: number; fingerprint: string }, classIndex: number, version: number) =>
    `${imageBase()}heads/${headId}/slides/${slide.id}/heatmap.png?class=${classIndex}&v=${encodeURIComponent(slide.fingerprint.slice(0, 16))}.${version}`,
  /** A head's class map over the slide: each tile in its most probable class's colour. */
  classMap: (headId: number, slide: { id: number; fingerprint: string }, version: number) =>
    `${imageBase()}heads/${headId}/slides/${slide.id}/classmap.png?v=${encodeURIComponent(slide.fingerprint.slice(0, 16))}.${version}`,
};
