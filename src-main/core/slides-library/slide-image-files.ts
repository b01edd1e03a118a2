import { HistoError } from '../errors';
import { writeRgbImage } from '../imaging/rgb-image-io';
import { openSlide } from '../slides/open-slide';
import { readOverview } from '../tiling/overview';

export interface SlideRegion {
  /** Top-left corner in level-0 pixels. */
  x: number;
  y: number;
  /** Size at `level`. */
  width: number;
  height: number;
  level: number;
}

/** Writes a region of a slide file to an image file; refuses a level the slide does not have. */
export async function writeSlideRegion(path: string, region: SlideRegion, out: string): Promise<SlideRegion & { out: string }> {
  const source = await openSlide(path);
  try {
    const levels = source.info.levels.length;
    if (region.level >= levels) throw new HistoError('VALIDATION', `${source.info.path}: no level ${region.level} (the slide has levels 0-${levels - 1})`, { cli: `--level: ${source.info.path} has levels 0-${levels - 1}` });
    await writeRgbImage(await source.readRegion(region.x, region.y, region.width, region.height, region.level), out);
  } finally {
    await source.close();
  }
  return { out, ...region };
}

/** Writes an overview of a whole slide file, longest side at most `max` pixels. */
export async function writeSlideThumbnail(path: string, max: number, out: string): Promise<{ out: string; width: number; height: number }> {
  const source = await openSlide(path);
  try {
    const image = await readOverview(source, max);
    await writeRgbImage(image, out);
    return { out, width: image.width, height: image.height };
  } finally {
    await source.close();
  }
}
