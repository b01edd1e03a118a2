import type { AssociatedImageName, SlideInfo } from '../../../src-shared/domain/slide';
import { HistoError } from '../errors';
import { SLIDE_LIMITS } from './limits';
import type { TileGrid } from './region';
import { boxReduced, reductionFactor } from './box-reduce';
import { deliverInto, readGridReduced, readGridRegion, resizeRgb, shiftBilinear, subpixelStart } from './region';
import type { RgbImage, SlideSource } from './slide-source';

/** A pyramid level as a tile grid plus its downsample from level 0. */
export interface LevelGrid extends TileGrid {
  downsample: number;
}

/** Relative tolerance when matching a requested downsample to a level's. */
const DOWNSAMPLE_TOLERANCE = 1e-3;
/** Past this many source pixels per output pixel, coarse reads use the overview instead of a level. */
const MAX_SOURCE_PIXELS_PER_OUTPUT = 64;

/**
 * What every reader shares: argument checks, reads at a level, reads at any downsample (choosing
 * the best level and resampling with antialiasing) and the cached overview that serves coarse
 * reads of slides without a deep enough pyramid. A format supplies its levels and associated images.
 */
export abstract class SlideBase implements SlideSource {
  private overview: Promise<{ image: RgbImage; downsampleX: number; downsampleY: number }> | undefined;
  private closed = false;

  protected constructor(
    readonly fingerprint: string,
    readonly info: SlideInfo,
    protected readonly grids: LevelGrid[],
  ) {}

  protected abstract readAssociatedImage(name: AssociatedImageName): Promise<RgbImage>;
  protected abstract release(): Promise<void>;

  async readRegion(x: number, y: number, width: number, height: number, level: number, into?: Uint8Array): Promise<RgbImage> {
    this.checkOpen();
    this.checkRegion(x, y, width, height);
    const grid = this.grids[level];
    if (!Number.isInteger(level) || !grid) {
      throw new HistoError('BAD_INPUT', `${this.info.path}: level ${level} does not exist (the slide has ${this.grids.length} level${this.grids.length === 1 ? '' : 's'})`);
    }
    // OpenSlide's convention: the level-L start is x / downsample, kept fractional, and the level is
    // painted shifted by that fraction with bilinear filtering (cairo's default for a translation).
    // Flooring instead starts up to a pixel early on a level whose downsample is not an integer.
    const start = subpixelStart(x / grid.downsample, y / grid.downsample);
    if (start.fracX === 0 && start.fracY === 0) return readGridRegion(grid, start.x, start.y, width, height, into);
    const padded = await readGridRegion(grid, start.x, start.y, width + 1, height + 1);
    return deliverInto(shiftBilinear(padded, start.fracX, start.fracY, width, height), into);
  }

  async readRegionScaled(x: number, y: number, width: number, height: number, downsample: number, into?: Uint8Array): Promise<RgbImage> {
    this.checkOpen();
    this.checkRegion(x, y, width, height);
    if (!Number.isFinite(downsample) || downsample <= 0) {
      throw new HistoError('BAD_INPUT', `${this.info.path}: downsample ${downsample} is not a positive number`);
    }
    const index = this.levelFor(downsample);
    const grid = this.grids[index]!;
    if (Math.abs(grid.downsample - downsample) <= downsample * DOWNSAMPLE_TOLERANCE) return this.readRegion(x, y, width, height, index, into);

    const overview = await this.overviewInstead(grid, downsample);
    if (overview) {
      return deliverInto(await this.resample(fromImage(overview.image), overview.downsampleX, overview.downsampleY, x, y, width, height, downsample), into);
    }
    return deliverInto(await this.resample(grid, grid.downsample, grid.downsample, x, y, width, height, downsample), into);
  }

  async readCoarseOverview(maxSide: number): Promise<RgbImage> {
    this.checkOpen();
    if (!Number.isInteger(maxSide) || maxSide < 1) throw new HistoError('BAD_INPUT', `${this.info.path}: overview size ${maxSide} is not a whole number of pixels`);
    const target = Math.max(this.info.width, this.info.height) / maxSide;
    const grid = this.grids[this.levelFor(target)]!;
    const overview = await this.overviewInstead(grid, target);
    if (overview) {
      const { image } = overview;
      return boxReduced(image, image.width, image.height, reductionFactor(image.width, image.height, maxSide));
    }
    const factor = reductionFactor(grid.width, grid.height, maxSide);
    return factor === 1 ? readGridRegion(grid, 0, 0, grid.width, grid.height) : readGridReduced(grid, factor);
  }

  async readAssociated(name: AssociatedImageName): Promise<RgbImage> {
    this.checkOpen();
    if (!this.info.associated.includes(name)) {
      throw new HistoError('NOT_FOUND', `${this.info.path}: the slide has no ${name} image (it has: ${this.info.associated.join(', ') || 'none'})`);
    }
    return this.readAssociatedImage(name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.overview = undefined;
    await this.release();
  }

  /** The coarsest level that is still at least as fine as `downsample`. */
  private levelFor(downsample: number): number {
    let index = 0;
    for (let i = 0; i < this.grids.length; i++) {
      if (this.grids[i]!.downsample <= downsample * (1 + DOWNSAMPLE_TOLERANCE)) index = i;
    }
    return index;
  }

  /**
   * The cached overview, where it serves a read at `downsample` better than `grid` (the level
   * levelFor chose): the level is far finer than asked for (a slide without a deep pyramid) and the
   * overview lies between the two.
   */
  private async overviewInstead(grid: LevelGrid, downsample: number): Promise<{ image: RgbImage; downsampleX: number; downsampleY: number } | undefined> {
    const ratio = downsample / grid.downsample;
    if (ratio <= 1 || ratio * ratio <= MAX_SOURCE_PIXELS_PER_OUTPUT) return undefined;
    const overview = await this.getOverview();
    return overview.downsampleX <= downsample * (1 + DOWNSAMPLE_TOLERANCE) && overview.downsampleX > grid.downsample ? overview : undefined;
  }

  /**
   * A box-filtered image of the whole slide, at most SLIDE_LIMITS.overviewMaxSide on its longer
   * side, built once from the coarsest level in bounded chunks.
   */
  protected getOverview(): Promise<{ image: RgbImage; downsampleX: number; downsampleY: number }> {
    this.overview ??= this.buildOverview();
    return this.overview;
  }

  private async buildOverview(): Promise<{ image: RgbImage; downsampleX: number; downsampleY: number }> {
    const grid = this.grids[this.grids.length - 1]!;
    const factor = reductionFactor(grid.width, grid.height, SLIDE_LIMITS.overviewMaxSide);
    const image = await readGridReduced(grid, factor);
    return { image, downsampleX: this.info.width / image.width, downsampleY: this.info.height / image.height };
  }

  private async resample(source: TileGrid, dsX: number, dsY: number, x: number, y: number, width: number, height: number, downsample: number): Promise<RgbImage> {
    const sx0 = Math.floor(x / dsX + 1e-9);
    const sy0 = Math.floor(y / dsY + 1e-9);
    const sx1 = Math.max(sx0 + 1, Math.ceil((x + width * downsample) / dsX - 1e-9));
    const sy1 = Math.max(sy0 + 1, Math.ceil((y + height * downsample) / dsY - 1e-9));
    if ((sx1 - sx0) * (sy1 - sy0) > SLIDE_LIMITS.maxRegionPixels) {
      throw new HistoError('BAD_INPUT', `${this.info.path}: a read of ${width}x${height} at downsample ${downsample} needs too many source pixels`);
    }
    const region = await readGridRegion(source, sx0, sy0, sx1 - sx0, sy1 - sy0);
    return resizeRgb(region, width, height);
  }

  private checkRegion(x: number, y: number, width: number, height: number): void {
    if (![x, y].every(Number.isFinite) || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new HistoError('BAD_INPUT', `${this.info.path}: invalid region ${x},${y} ${width}x${height}`);
    }
    if (width * height > SLIDE_LIMITS.maxRegionPixels) {
      throw new HistoError('BAD_INPUT', `${this.info.path}: region ${width}x${height} is larger than the limit of ${SLIDE_LIMITS.maxRegionPixels} pixels`);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new HistoError('BAD_INPUT', `${this.info.path}: the slide has been closed`);
  }
}

/** An in-memory image as a one-tile grid. */
export function fromImage(image: RgbImage): TileGrid {
  return { width: image.width, height: image.height, tileWidth: image.width, tileHeight: image.height, readTile: () => Promise.resolve(image) };
}
