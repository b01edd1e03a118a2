import type { AssociatedImageName, SlideInfo } from '../../../src-shared/domain/slide';
import type { FileReader } from './file-reader';
import { SLIDE_LIMITS } from './limits';
import type { LevelGrid } from './slide-base';
import { SlideBase } from './slide-base';
import { badSlide, errorText } from './slide-error';
import { decodeWholeImage } from './codecs/whole-image';
import { loadSharp } from './sharp-loader';
import { tiffResolutionMpp } from './vendors/resolution';
import type { RgbImage } from './slide-source';


/** The tile size reported for single images: a convenient read size, not a storage unit. */
const VIRTUAL_TILE = 512;

/**
 * A PNG or JPEG: one level, decoded whole on first read (bounded by SLIDE_LIMITS) and kept in
 * memory; coarse reads come from the shared overview logic.
 */
export class ImageSlide extends SlideBase {
  private pixels: Promise<RgbImage> | undefined;

  private constructor(
    fingerprint: string,
    info: SlideInfo,
    grids: LevelGrid[],
    private readonly file: FileReader,
  ) {
    super(fingerprint, info, grids);
  }

  static async create(file: FileReader, format: 'png' | 'jpeg', fingerprint: string, mppOverride: number | undefined): Promise<ImageSlide> {
    const path = file.path;
    const sharp = loadSharp();
    let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
    try {
      meta = await sharp(path, { limitInputPixels: false }).metadata();
    } catch (err) {
      throw badSlide(path, `is not a readable ${format.toUpperCase()} image: ${errorText(err)}`, err);
    }
    const width = meta.width ?? 0;
    const height = meta.height ?? 0;
    if (width < 1 || height < 1) throw badSlide(path, `${format.toUpperCase()} image has no size`);
    if (width * height > SLIDE_LIMITS.maxSingleImagePixels) {
      throw badSlide(path, `${format.toUpperCase()} image of ${width}x${height} is too large to read whole (limit ${SLIDE_LIMITS.maxSingleImagePixels} pixels); convert it to a tiled pyramidal TIFF`);
    }
    const res = tiffResolutionMpp(meta.density, meta.density, 2);
    const info: SlideInfo = {
      path,
      format,
      vendor: null,
      width,
      height,
      levels: [{ width, height, downsample: 1, tileWidth: Math.min(width, VIRTUAL_TILE), tileHeight: Math.min(height, VIRTUAL_TILE) }],
      mppX: mppOverride ?? res.mppX,
      mppY: mppOverride ?? res.mppY,
      magnification: null,
      associated: [],
    };
    const grids: LevelGrid[] = [];
    const slide = new ImageSlide(fingerprint, info, grids, file);
    grids.push({
      width,
      height,
      tileWidth: width,
      tileHeight: height,
      downsample: 1,
      readTile: async () => slide.decodeWhole(),
    });
    return slide;
  }

  private decodeWhole(): Promise<RgbImage> {
    this.pixels ??= (async () => {
      const buffer = await this.file.read(0, this.file.size, 'image data');
      try {
        const image = await decodeWholeImage(buffer);
        if (image.width !== this.info.width || image.height !== this.info.height) throw new Error('unexpected decoded shape');
        return image;
      } catch (err) {
        this.pixels = undefined;
        throw badSlide(this.file.path, `cannot decode the ${this.info.format.toUpperCase()} image: ${errorText(err)}`, err);
      }
    })();
    return this.pixels;
  }

  protected readAssociatedImage(name: AssociatedImageName): Promise<RgbImage> {
    return Promise.reject(badSlide(this.file.path, `has no ${name} image`));
  }

  protected async release(): Promise<void> {
    this.pixels = undefined;
    await this.file.close();
  }
}
