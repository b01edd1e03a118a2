import type { RgbImage, SlideSource } from '../slides/slide-source';
import { resizeRgb } from '../imaging/rgb-image-io';

/** The lowest-resolution level whose longest side still reaches `maxSide` (level 0 when none does). */
export function overviewLevel(source: SlideSource, maxSide: number): number {
  let chosen = 0;
  source.info.levels.forEach((level, index) => {
    if (Math.max(level.width, level.height) >= maxSide) chosen = index;
  });
  return chosen;
}

/** The whole slide as one image whose longest side is at most `maxSide`, aspect ratio kept. */
export async function readOverview(source: SlideSource, maxSide: number): Promise<RgbImage> {
  const index = overviewLevel(source, maxSide);
  const level = source.info.levels[index]!;
  const image = await source.readRegion(0, 0, level.width, level.height, index);
  const scale = Math.max(image.width, image.height) / maxSide;
  if (scale <= 1) return image;
  return resizeRgb(image, Math.max(1, Math.round(image.width / scale)), Math.max(1, Math.round(image.height / scale)));
}
