import type { AssociatedImageName, SlideInfo, SlideLevel } from '../../../src-shared/domain/slide';
import type { DecodePool } from './decode-pool';
import { sharedDecodePool } from './decode-pool';
import type { FileReader } from './file-reader';
import { SLIDE_LIMITS } from './limits';
import { readGridRegion } from './region';
import type { LevelGrid } from './slide-base';
import { SlideBase } from './slide-base';
import { badSlide, errorText } from './slide-error';
import { aperioMetadata, isAperioDescription, omeImages, tiffResolutionMpp } from './slide-metadata';
import type { RgbImage } from './slide-source';
import type { TileCache } from './tile-cache';
import { sharedTileCache } from './tile-cache';
import type { Ifd, TiffFile } from './tiff/tiff-file';
import { tagNumber } from './tiff/tiff-file';
import type { TiffImage } from './tiff/tiff-image';
import { checkDecodable, describeImage } from './tiff/tiff-image';
import { Tag } from './tiff/tiff-tags';

/** Which images of a TIFF are pyramid levels and which are associated images, and what it says about itself. */
export interface TiffLayout {
  format: string;
  vendor: string | null;
  levels: TiffImage[];
  associated: Map<AssociatedImageName, TiffImage>;
  mppX: number | null;
  mppY: number | null;
  magnification: number | null;
}

/** The associated image an IFD's description or NewSubfileType names ('label 415x422', 'macro ...'). */
function namedAssociated(image: TiffImage): AssociatedImageName | null {
  for (const line of image.description.split(/\r?\n/)) {
    const word = line.trim().toLowerCase();
    if (word.startsWith('label')) return 'label';
    if (word.startsWith('macro')) return 'macro';
    if (word.startsWith('thumbnail')) return 'thumbnail';
  }
  // Aperio marks the macro with NewSubfileType 9 (reduced image + bit 3).
  if (image.newSubfileType & 8) return 'macro';
  return null;
}

/** Levels sorted largest first, keeping only images strictly smaller than the one before and with level 0's aspect ratio. */
function pyramid(base: TiffImage, candidates: TiffImage[]): TiffImage[] {
  const levels = [base];
  const sorted = candidates.slice().sort((a, b) => b.width - a.width);
  for (const image of sorted) {
    const last = levels[levels.length - 1]!;
    if (image.width >= last.width || image.height >= last.height) continue;
    // A level of downsample d has ceil or floor of w0/d: allow a pixel of rounding on each side.
    const d = base.width / image.width;
    if (Math.abs(base.height / d - image.height) > 1.5 + base.height / d * 0.01) continue;
    levels.push(image);
  }
  return levels;
}

export function classifyTiff(path: string, tiff: TiffFile, fileSize: number): TiffLayout {
  const first = describeImage(path, tiff.ifds[0]!, fileSize);
  const describe = (ifd: Ifd): TiffImage => describeImage(path, ifd, fileSize);

  if (isAperioDescription(first.description)) {
    const levels: TiffImage[] = [first];
    const associated = new Map<AssociatedImageName, TiffImage>();
    tiff.ifds.slice(1).forEach((ifd, i) => {
      const image = describe(ifd);
      const named = namedAssociated(image);
      // Aperio convention: the second IFD is the thumbnail, even when it is tiled and sits between levels.
      const name = named ?? (i === 0 ? 'thumbnail' : null);
      if (name) {
        if (!associated.has(name)) associated.set(name, image);
      } else if (image.tiled) {
        levels.push(image);
      }
    });
    const meta = aperioMetadata(first.description);
    return {
      format: 'svs', vendor: 'aperio', levels: pyramid(first, levels.slice(1)), associated,
      mppX: meta.mpp, mppY: meta.mpp, magnification: meta.magnification,
    };
  }

  if (/<(\w+:)?OME\b/.test(first.description)) {
    const images = omeImages(first.description);
    const associated = new Map<AssociatedImageName, TiffImage>();
    const subLevels = tiff.ifds[0]!.subIfds.map(describe);
    const chainImages = tiff.ifds.slice(1).map(describe);
    for (const [i, image] of chainImages.entries()) {
      const ome = images.find((im) => im.firstIfd === i + 1);
      const lower = ome?.name.toLowerCase() ?? '';
      const name: AssociatedImageName | null = lower.includes('label') ? 'label' : lower.includes('macro') ? 'macro' : lower.includes('thumbnail') ? 'thumbnail' : namedAssociated(image);
      if (name && !associated.has(name)) associated.set(name, image);
    }
    // Older OME pyramids put reduced levels in the main chain; SubIFDs are the current convention.
    const candidates = subLevels.length > 0 ? subLevels : chainImages.filter((im) => !namedAssociated(im) && ![...associated.values()].includes(im));
    const main = images.find((im) => im.firstIfd === 0) ?? images[0];
    return {
      format: 'ome-tiff', vendor: 'ome', levels: pyramid(first, candidates), associated,
      mppX: main?.mppX ?? null, mppY: main?.mppY ?? main?.mppX ?? null, magnification: main?.magnification ?? null,
    };
  }

  const associated = new Map<AssociatedImageName, TiffImage>();
  const candidates: TiffImage[] = first.ifd.subIfds.map(describe);
  for (const ifd of tiff.ifds.slice(1)) {
    const image = describe(ifd);
    const name = namedAssociated(image);
    if (name) {
      if (!associated.has(name)) associated.set(name, image);
    } else {
      candidates.push(image, ...ifd.subIfds.map(describe));
    }
  }
  const res = tiffResolutionMpp(tagNumber(first.ifd, Tag.XResolution), tagNumber(first.ifd, Tag.YResolution), tagNumber(first.ifd, Tag.ResolutionUnit));
  return {
    format: tiff.bigTiff ? 'bigtiff' : 'tiff', vendor: null, levels: pyramid(first, candidates), associated,
    mppX: res.mppX, mppY: res.mppY, magnification: null,
  };
}

let nextSlideKey = 1;

/** Any TIFF-based slide: generic tiled or stripped TIFF/BigTIFF, Aperio SVS, OME-TIFF. */
export class TiffSlide extends SlideBase {
  private constructor(
    fingerprint: string,
    info: SlideInfo,
    grids: LevelGrid[],
    private readonly file: FileReader,
    private readonly layout: TiffLayout,
    private readonly cache: TileCache,
    private readonly cacheKey: string,
    private readonly pool: DecodePool,
  ) {
    super(fingerprint, info, grids);
  }

  static create(file: FileReader, tiff: TiffFile, fingerprint: string, mppOverride: number | undefined): TiffSlide {
    const path = file.path;
    const layout = classifyTiff(path, tiff, file.size);
    for (const level of layout.levels) checkDecodable(path, level);
    const base = layout.levels[0]!;
    const levels: SlideLevel[] = layout.levels.map((image) => ({
      width: image.width,
      height: image.height,
      downsample: image === base ? 1 : (base.width / image.width + base.height / image.height) / 2,
      tileWidth: image.tileWidth,
      tileHeight: image.tileHeight,
    }));
    const mpp = mppOverride ?? null;
    const info: SlideInfo = {
      path,
      format: layout.format,
      vendor: layout.vendor,
      width: base.width,
      height: base.height,
      levels,
      mppX: mpp ?? layout.mppX,
      mppY: mpp ?? layout.mppY,
      magnification: layout.magnification,
      associated: (['thumbnail', 'label', 'macro'] as const).filter((n) => layout.associated.has(n)),
    };
    const cacheKey = `tiff${nextSlideKey++}:`;
    const cache = sharedTileCache();
    const pool = sharedDecodePool();
    const grids: LevelGrid[] = [];
    const slide = new TiffSlide(fingerprint, info, grids, file, layout, cache, cacheKey, pool);
    layout.levels.forEach((image, index) => grids.push({ ...slide.gridOf(image, `level ${index}`, true), downsample: levels[index]!.downsample }));
    return slide;
  }

  private gridOf(image: TiffImage, what: string, cached: boolean) {
    return {
      width: image.width,
      height: image.height,
      tileWidth: image.tileWidth,
      tileHeight: image.tileHeight,
      readTile: (tx: number, ty: number): Promise<RgbImage | null> => {
        const index = ty * image.tilesAcross + tx;
        const count = image.byteCounts[index]!;
        if (count === 0) return Promise.resolve(null);
        const load = (): Promise<RgbImage> => this.decodeTile(image, index, what);
        return cached ? this.cache.get(`${this.cacheKey}${image.ifd.id}:${index}`, load) : load();
      },
    };
  }

  private async decodeTile(image: TiffImage, index: number, what: string): Promise<RgbImage> {
    const unit = image.tiled ? 'tile' : 'strip';
    const bytes = await this.file.read(image.offsets[index]!, image.byteCounts[index]!, `${unit} ${index} of ${what}`);
    try {
      return await this.pool.decode(bytes, image.codec);
    } catch (err) {
      throw badSlide(this.file.path, `${unit} ${index} of ${what} cannot be decoded: ${errorText(err)}`, err);
    }
  }

  protected async readAssociatedImage(name: AssociatedImageName): Promise<RgbImage> {
    const image = this.layout.associated.get(name)!;
    checkDecodable(this.file.path, image);
    if (image.width * image.height > SLIDE_LIMITS.maxRegionPixels) throw badSlide(this.file.path, `the ${name} image is too large (${image.width}x${image.height})`);
    return readGridRegion(this.gridOf(image, `the ${name} image`, false), 0, 0, image.width, image.height);
  }

  protected async release(): Promise<void> {
    this.cache.evictPrefix(this.cacheKey);
    await this.file.close();
  }
}
