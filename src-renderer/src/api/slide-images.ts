import { slideImagePaths } from '../../../src-shared/contract';

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

export const slideImageUrls = {
  tile: (slide: { id: number; fingerprint: string }, level: number, column: number, row: number) =>
    imageUrl(slideImagePaths.tile(slide.id, level, column, row), slide.fingerprint),
  thumbnail: (slide: { id: number; fingerprint: string }) => imageUrl(slideImagePaths.thumbnail(slide.id), slide.fingerprint),
  tissue: (slide: { id: number; fingerprint: string }) => imageUrl(slideImagePaths.tissue(slide.id), slide.fingerprint),
};
