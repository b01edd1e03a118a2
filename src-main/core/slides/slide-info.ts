import type { AssociatedImageName, SlideFormat, SlideInfo, SlideLevel, SlideVendor } from '../../../src-shared/domain/slide';

/** A level's geometry as a reader knows it, before downsamples are worked out. */
export interface LevelShape {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
}

export interface SlideDescription {
  path: string;
  format: SlideFormat;
  vendor: SlideVendor | null;
  /** Level 0 first. */
  levels: LevelShape[];
  mppX: number | null;
  mppY: number | null;
  magnification: number | null;
  associated: ReadonlySet<AssociatedImageName> | ReadonlyMap<AssociatedImageName, unknown>;
}

/**
 * The SlideInfo of any reader. Downsamples are OpenSlide's: the mean of the width and height
 * ratios to level 0, never rounded, so level reads start where OpenSlide's do.
 */
export function slideInfo(desc: SlideDescription, mppOverride: number | undefined): SlideInfo {
  const base = desc.levels[0]!;
  const levels: SlideLevel[] = desc.levels.map((level, i) => ({
    width: level.width,
    height: level.height,
    downsample: i === 0 ? 1 : (base.width / level.width + base.height / level.height) / 2,
    tileWidth: level.tileWidth,
    tileHeight: level.tileHeight,
  }));
  return {
    path: desc.path,
    format: desc.format,
    vendor: desc.vendor,
    width: base.width,
    height: base.height,
    levels,
    mppX: mppOverride ?? desc.mppX,
    mppY: mppOverride ?? desc.mppY,
    magnification: desc.magnification,
    associated: (['thumbnail', 'label', 'macro'] as const).filter((n) => desc.associated.has(n)),
  };
}
