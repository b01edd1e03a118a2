import type { RgbImage, SlideSource } from '../slides/slide-source';

/**
 * The whole slide as one image whose longest side is at most `maxSide`, aspect ratio kept. The
 * reader serves it from the coarsest fitting level or its cached overview, so this stays cheap
 * even for a single-level slide of 100k pixels.
 */
export function readOverview(source: SlideSource, maxSide: number): Promise<RgbImage> {
  const { width, height } = source.info;
  const downsample = Math.max(1, Math.max(width, height) / maxSide);
  const outWidth = Math.max(1, Math.min(maxSide, Math.round(width / downsample)));
  const outHeight = Math.max(1, Math.min(maxSide, Math.round(height / downsample)));
  return source.readRegionScaled(0, 0, outWidth, outHeight, downsample);
}
