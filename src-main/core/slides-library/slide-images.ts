import { deepZoomLevels, DEEP_ZOOM_TILE_SIZE } from '../../../src-shared/contract';
import { HEATMAP_MAX_SIDE } from '../../../src-shared/domain/heatmap';
import { HistoError } from '../errors';
import { loadSharp } from '../slides/sharp-loader';
import type { RgbImage } from '../slides/slide-source';
import type { StoredSlide } from '../project/repos/slides-repo';
import { heatmapPng } from '../prediction/stored-predictions';
import { HeadsRepo } from '../project/repos/heads-repo';
import { ByteLru } from '../cache/byte-lru';
import type { SlideLibrary } from './slide-library';
import { classMapPng } from '../prediction/class-map-png';

/** An image ready to send: the same answer for the HTTP server and the `histo:` protocol. */
export interface SlideImage {
  contentType: 'image/jpeg' | 'image/png';
  body: Buffer;
  /**
   * True when the image can change while its URL stays the same (a heatmap after the head predicts
   * the slide again): transports tell caches to revalidate instead of keeping it.
   */
  volatile?: boolean;
}

const THUMBNAIL_SIDE = 256;
/** Bounds of a gallery crop: output side, and the level-0 rectangle it may cover. */
export const REGION_MAX_SIZE = 512;
export const REGION_MAX_EXTENT = 16384;
const JPEG_QUALITY = 85;
/** Tissue in the mask image: a light tint inside, an opaque outline at its edge; background transparent. */
const MASK_RGB = [0, 150, 110] as const;
const MASK_FILL_ALPHA = 55;
const MASK_EDGE_ALPHA = 255;

async function encodeJpeg(image: RgbImage): Promise<Buffer> {
  return loadSharp()(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: JPEG_QUALITY, mozjpeg: false })
    .toBuffer();
}

/**
 * Renders what the viewer shows of a slide: deep-zoom tiles, the list thumbnail and the tissue
 * mask, each encoded once and kept in a byte-bounded cache keyed by the slide's content
 * fingerprint (so two projects, or a moved file, can never serve each other's pixels).
 */
export class SlideImageRenderer {
  private readonly encoded = new ByteLru<SlideImage>(96 * 1024 * 1024, (image) => image.body.byteLength + 64);

  constructor(private readonly library: SlideLibrary) {}

  /**
   * One tile of the deep-zoom pyramid: level `maxLevel` is full resolution, each level below halves
   * it; tiles are DEEP_ZOOM_TILE_SIZE square (smaller at the right and bottom edges).
   */
  async tile(slideId: number, level: number, column: number, row: number): Promise<SlideImage> {
    const slide = this.library.slide(slideId);
    const { width, height } = slide.info;
    const { maxLevel, minLevel } = deepZoomLevels(width, height);
    if (!Number.isInteger(level) || level < minLevel || level > maxLevel) {
      throw new HistoError('NOT_FOUND', `slide ${slideId} has deep-zoom levels ${minLevel}-${maxLevel}, not ${level}`);
    }
    const downsample = 2 ** (maxLevel - level);
    const levelWidth = Math.ceil(width / downsample);
    const levelHeight = Math.ceil(height / downsample);
    const size = DEEP_ZOOM_TILE_SIZE;
    const columns = Math.ceil(levelWidth / size);
    const rows = Math.ceil(levelHeight / size);
    if (!Number.isInteger(column) || !Number.isInteger(row) || column < 0 || row < 0 || column >= columns || row >= rows) {
      throw new HistoError('NOT_FOUND', `slide ${slideId} level ${level} has ${columns} x ${rows} tiles; there is no tile ${column}_${row}`);
    }
    const tileWidth = Math.min(size, levelWidth - column * size);
    const tileHeight = Math.min(size, levelHeight - row * size);
    return this.encoded.get(`${slide.fingerprint}/t/${level}/${column}/${row}`, async () => {
      const pixels = await this.library.openSlides.use(slide.path, (source) =>
        source.readRegionScaled(column * size * downsample, row * size * downsample, tileWidth, tileHeight, downsample),
      );
      return { contentType: 'image/jpeg', body: await encodeJpeg(pixels) };
    });
  }

  /** The whole slide at most THUMBNAIL_SIDE on its longer side. */
  async thumbnail(slideId: number): Promise<SlideImage> {
    const slide = this.library.slide(slideId);
    return this.encoded.get(`${slide.fingerprint}/thumbnail`, async () => {
      const { width, height } = slide.info;
      const downsample = Math.max(1, Math.max(width, height) / THUMBNAIL_SIDE);
      const outWidth = Math.max(1, Math.round(width / downsample));
      const outHeight = Math.max(1, Math.round(height / downsample));
      const pixels = await this.library.openSlides.use(slide.path, (source) => source.readRegionScaled(0, 0, outWidth, outHeight, downsample));
      return { contentType: 'image/jpeg', body: await encodeJpeg(pixels) };
    });
  }

  /** The tissue mask as a PNG the size of the mask: tissue tinted and outlined, background transparent. */
  async tissue(slideId: number): Promise<SlideImage> {
    const slide: StoredSlide = this.library.slide(slideId);
    return this.encoded.get(`${slide.fingerprint}/tissue`, async () => {
      const mask = await this.library.tissueMask(slide);
      const { width, height, data } = mask;
      const rgba = Buffer.alloc(width * height * 4);
      const isTissue = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && data[y * width + x] === 1;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (!isTissue(x, y)) continue;
          const edge = !isTissue(x - 1, y) || !isTissue(x + 1, y) || !isTissue(x, y - 1) || !isTissue(x, y + 1);
          const o = (y * width + x) * 4;
          rgba[o] = MASK_RGB[0];
          rgba[o + 1] = MASK_RGB[1];
          rgba[o + 2] = MASK_RGB[2];
          rgba[o + 3] = edge ? MASK_EDGE_ALPHA : MASK_FILL_ALPHA;
        }
      }
      const body = await loadSharp()(rgba, { raw: { width, height, channels: 4 } }).png({ compressionLevel: 6 }).toBuffer();
      return { contentType: 'image/png', body };
    });
  }

  /**
   * A level-0 rectangle of a slide (a tile of the review gallery) at most `size` px on its longer
   * side; never upsampled (the browser scales a small tile up for free). The rectangle is clipped
   * to the slide and must start inside it.
   */
  async region(slideId: number, x: number, y: number, width: number, height: number, size: number): Promise<SlideImage> {
    const slide = this.library.slide(slideId);
    const { width: slideWidth, height: slideHeight } = slide.info;
    if (x >= slideWidth || y >= slideHeight) {
      throw new HistoError('NOT_FOUND', `slide ${slideId} is ${slideWidth} x ${slideHeight} px; no region starts at (${x}, ${y})`);
    }
    const w = Math.min(width, slideWidth - x);
    const h = Math.min(height, slideHeight - y);
    const downsample = Math.max(1, Math.max(w, h) / size);
    const outWidth = Math.max(1, Math.round(w / downsample));
    const outHeight = Math.max(1, Math.round(h / downsample));
    return this.encoded.get(`${slide.fingerprint}/r/${x}/${y}/${w}/${h}/${size}`, async () => {
      const pixels = await this.library.openSlides.use(slide.path, (source) => source.readRegionScaled(x, y, outWidth, outHeight, downsample));
      return { contentType: 'image/jpeg', body: await encodeJpeg(pixels) };
    });
  }

  /**
   * The heatmap of a head over a slide: one class's probability per predicted tile, aligned with
   * the slide, HEATMAP_MAX_SIDE px on its longer side (`classIndex` defaults to the head's positive
   * class). Not cached: predicting again changes it under the same URL.
   */
  async heatmap(headId: number, slideId: number, classIndex: number | undefined): Promise<SlideImage> {
    const store = this.library.projectStore();
    const slide = this.library.slide(slideId);
    const { head } = new HeadsRepo(store.db).load(headId);
    if (classIndex !== undefined && classIndex >= head.classes.length) {
      throw new HistoError('VALIDATION', `head ${headId} has ${head.classes.length} classes (${head.classes.join(', ')}); class index ${classIndex} is not one of them`);
    }
    const body = await heatmapPng(store, headId, slide.id, classIndex, HEATMAP_MAX_SIDE);
    if (!body) throw new HistoError('NOT_FOUND', `head ${headId} has not predicted slide ${slideId} (${slide.path}): run the prediction first`);
    return { contentType: 'image/png', body, volatile: true };
  }

  /** The class map of a head over a slide (argmax colour per tile); not cached, as the heatmap. */
  async classMap(headId: number, slideId: number): Promise<SlideImage> {
    const slide = this.library.slide(slideId);
    const body = await classMapPng(this.library.projectStore(), headId, slide.id, HEATMAP_MAX_SIDE);
    if (!body) throw new HistoError('NOT_FOUND', `head ${headId} has not predicted slide ${slideId} (${slide.path}): run the prediction first`);
    return { contentType: 'image/png', body, volatile: true };
  }

  clear(): void {
    this.encoded.clear();
  }
}

/** A request for a slide image: the part of the URL after the server root or `histo://`. */
export type SlideImageRequest =
  | { kind: 'tile'; slideId: number; level: number; column: number; row: number }
  | { kind: 'thumbnail'; slideId: number }
  | { kind: 'tissue'; slideId: number }
  | { kind: 'region'; slideId: number; x: number; y: number; width: number; height: number; size: number }
  | { kind: 'heatmap'; headId: number; slideId: number; classIndex: number | undefined }
  | { kind: 'classmap'; headId: number; slideId: number };

const SLIDE_PATH = /^\/?slides\/([^/]+)\/(.+)$/;
const HEATMAP_PATH = /^\/?heads\/([^/]+)\/slides\/([^/]+)\/heatmap\.png$/;
const CLASS_MAP_PATH = /^\/?heads\/([^/]+)\/slides\/([^/]+)\/classmap\.png$/;
const TILE_PATH = /^tiles\/(\d{1,3})\/(\d{1,9})_(\d{1,9})\.jpg$/;

/** Whether a URL path belongs to the slide images (so a transport hands it here rather than elsewhere). */
export function isSlideImagePath(pathname: string): boolean {
  return /^\/?(slides|heads)\//.test(pathname);
}

function positiveId(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
    throw new HistoError('VALIDATION', `${what} id must be a positive whole number, not '${text.slice(0, 40)}'`);
  }
  return Number(text);
}

/** A whole-number query parameter within [min, max]; absent is VALIDATION too unless a fallback is given. */
function wholeParam(query: URLSearchParams, name: string, min: number, max: number, fallback?: number): number {
  const text = query.get(name);
  if (text === null || text === '') {
    if (fallback !== undefined) return fallback;
    throw new HistoError('VALIDATION', `${name} is missing: give a whole number from ${min} to ${max}`);
  }
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new HistoError('VALIDATION', `${name} must be a whole number from ${min} to ${max}, not '${text.slice(0, 40)}'`);
  }
  return Number(text);
}

/**
 * Parses `slides/<id>/tiles/<level>/<col>_<row>.jpg`, `slides/<id>/thumbnail.jpg`,
 * `slides/<id>/tissue.png`, `slides/<id>/region.jpg?x=&y=&w=&h=&size=` or
 * `heads/<headId>/slides/<id>/heatmap.png[?class=<index>]` or `heads/<headId>/slides/<id>/classmap.png`; a malformed id or parameter is
 * VALIDATION (400), an unknown image NOT_FOUND (404).
 */
export function parseSlideImagePath(pathname: string, query: URLSearchParams = new URLSearchParams()): SlideImageRequest {
  const heatmap = HEATMAP_PATH.exec(pathname);
  if (heatmap) {
    const classIndex = query.has('class') ? wholeParam(query, 'class', 0, 99) : undefined;
    return { kind: 'heatmap', headId: positiveId(heatmap[1]!, 'head'), slideId: positiveId(heatmap[2]!, 'slide'), classIndex };
  }
  const classMap = CLASS_MAP_PATH.exec(pathname);
  if (classMap) return { kind: 'classmap', headId: positiveId(classMap[1]!, 'head'), slideId: positiveId(classMap[2]!, 'slide') };
  const match = SLIDE_PATH.exec(pathname);
  if (!match) throw new HistoError('NOT_FOUND', `no slide image at ${pathname.slice(0, 200)}`);
  const [, idText, rest] = match as unknown as [string, string, string];
  const slideId = positiveId(idText, 'slide');
  if (rest === 'thumbnail.jpg') return { kind: 'thumbnail', slideId };
  if (rest === 'tissue.png') return { kind: 'tissue', slideId };
  if (rest === 'region.jpg') {
    return {
      kind: 'region',
      slideId,
      x: wholeParam(query, 'x', 0, 10_000_000),
      y: wholeParam(query, 'y', 0, 10_000_000),
      width: wholeParam(query, 'w', 1, REGION_MAX_EXTENT),
      height: wholeParam(query, 'h', 1, REGION_MAX_EXTENT),
      size: wholeParam(query, 'size', 8, REGION_MAX_SIZE, 256),
    };
  }
  const tile = TILE_PATH.exec(rest);
  if (tile) return { kind: 'tile', slideId, level: Number(tile[1]), column: Number(tile[2]), row: Number(tile[3]) };
  throw new HistoError('NOT_FOUND', `slide ${slideId} has no image ${rest.slice(0, 200)}`);
}

/** The one entry point both transports call: URL path and query in, encoded image out (or a HistoError). */
export async function renderSlideImage(renderer: SlideImageRenderer, pathname: string, query?: URLSearchParams): Promise<SlideImage> {
  const request = parseSlideImagePath(pathname, query);
  switch (request.kind) {
    case 'tile':
      return renderer.tile(request.slideId, request.level, request.column, request.row);
    case 'thumbnail':
      return renderer.thumbnail(request.slideId);
    case 'tissue':
      return renderer.tissue(request.slideId);
    case 'region':
      return renderer.region(request.slideId, request.x, request.y, request.width, request.height, request.size);
    case 'heatmap':
      return renderer.heatmap(request.headId, request.slideId, request.classIndex);
    case 'classmap':
      return renderer.classMap(request.headId, request.slideId);
  }
}
