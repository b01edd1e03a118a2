import type { AssociatedImageName, SlideInfo } from '../../../src-shared/domain/slide';
import { decodeWholeImage } from './codecs/whole-image';
import type { DecodePool } from './decode-pool';
import { sharedDecodePool, TileReadError } from './decode-pool';
import type { TileReduction } from './decode-protocol';
import type { FileReader } from './file-reader';
import { SLIDE_LIMITS } from './limits';
import type { MosaicPiece } from './mosaic';
import { mosaicGrid } from './mosaic';
import type { TileGrid } from './region';
import { readGridRegion } from './region';
import type { LevelGrid } from './slide-base';
import { SlideBase } from './slide-base';
import { badSlide, errorText } from './slide-error';
import { slideInfo } from './slide-info';
import type { RgbImage } from './slide-source';
import type { TileCache } from './tile-cache';
import { sharedTileCache } from './tile-cache';
import type { TiffImage } from './tiff/tiff-image';
import { checkDecodable } from './tiff/tiff-image';
import type { LevelPlacement, TiffLayout } from './vendors/tiff-vendor';

let nextSlideKey = 1;

/** A level assembled from the vendor's placements (Ventana's overlapping tiles, Leica's regions). */
function stitchedGrid(level: TileGrid, placement: LevelPlacement, gridOf: (image: TiffImage) => TileGrid): TileGrid {
  const grids = new Map<TiffImage, TileGrid>();
  const tilesOf = (image: TiffImage | undefined): TileGrid => {
    if (!image) return level;
    let grid = grids.get(image);
    if (!grid) grids.set(image, (grid = gridOf(image)));
    return grid;
  };
  const pieces: MosaicPiece[] = placement.tiles.map((t) => ({ ...t, source: () => tilesOf(t.image).readTile(t.tileX, t.tileY) }));
  return mosaicGrid(placement.width, placement.height, pieces);
}

/** Any TIFF-family slide, whichever vendor laid it out. */
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

  /** The SlideSource stage: a vendor's layout of a TIFF container, read through the shared decode pool and tile cache. */
  static create(file: FileReader, layout: TiffLayout, fingerprint: string, mppOverride: number | undefined): TiffSlide {
    for (const level of layout.levels) checkDecodable(file.path, level);
    const placedImages = new Set(layout.placements?.flatMap((p) => p.tiles.map((t) => t.image)));
    for (const image of placedImages) if (image) checkDecodable(file.path, image);
    const { placements } = layout;
    // A stitched level's size is the mosaic's, not its TIFF image's.
    const shapes = placements ? layout.levels.map((image, i) => ({ ...image, width: placements[i]!.width, height: placements[i]!.height })) : layout.levels;
    const associated = new Set([...layout.associated.keys(), ...(layout.encodedAssociated?.keys() ?? [])]);
    const info = slideInfo({ ...layout, levels: shapes, associated, path: file.path }, mppOverride);
    const grids: LevelGrid[] = [];
    const slide = new TiffSlide(fingerprint, info, grids, file, layout, sharedTileCache(), `tiff${nextSlideKey++}:`, sharedDecodePool());
    layout.levels.forEach((image, index) => {
      const tiles = slide.gridOf(image, `level ${index}`, true);
      const grid = placements ? stitchedGrid(tiles, placements[index]!, (image) => slide.gridOf(image, `level ${index} (image ${image.ifd.id})`, true)) : tiles;
      grids.push({ ...grid, downsample: info.levels[index]!.downsample });
    });
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
        if (!cached) return this.decodeTile(image, index, what, false);
        return this.cache.get(`${this.cacheKey}${image.ifd.id}:${index}`, () => this.decodeTile(image, index, what, true));
      },
      readTileReduced: (tx: number, ty: number, factor: number): Promise<RgbImage | null> => {
        const index = ty * image.tilesAcross + tx;
        if (image.byteCounts[index]! === 0) return Promise.resolve(null);
        const validWidth = Math.min(image.tileWidth, image.width - tx * image.tileWidth);
        const validHeight = Math.min(image.tileHeight, image.height - ty * image.tileHeight);
        return this.decodeTile(image, index, what, false, { factor, validWidth, validHeight });
      },
    };
  }

  /**
   * @param forCache the tile goes to the tile cache, so its buffer is recycled when the cache lets it go.
   * @param reduce the tile comes back box-reduced (coarse reads).
   */
  private async decodeTile(image: TiffImage, index: number, what: string, forCache: boolean, reduce?: TileReduction): Promise<RgbImage> {
    const offset = image.offsets[index]!;
    const length = image.byteCounts[index]!;
    const tile = `${image.tiled ? 'tile' : 'strip'} ${index} of ${what}`;
    const cannotDecode = (err: unknown) => badSlide(this.file.path, `${tile} cannot be decoded: ${errorText(err)}`, err);
    if (!this.pool.threaded) {
      const bytes = await this.file.read(offset, length, tile);
      try {
        return await this.pool.decode(bytes, image.codec, forCache, reduce);
      } catch (err) {
        throw cannotDecode(err);
      }
    }
    // A decode worker reads the bytes itself: no hand-off to the file thread pool and back.
    this.file.checkSpan(offset, length, tile);
    return this.file.lend(async (fd) => {
      try {
        return await this.pool.decode({ fd, offset, length }, image.codec, forCache, reduce);
      } catch (err) {
        throw err instanceof TileReadError ? badSlide(this.file.path, `${tile} cannot be read: ${err.message}`, err) : cannotDecode(err);
      }
    });
  }

  protected async readAssociatedImage(name: AssociatedImageName): Promise<RgbImage> {
    const encoded = this.layout.encodedAssociated?.get(name);
    if (encoded && !this.layout.associated.has(name)) {
      try {
        return await decodeWholeImage(encoded, SLIDE_LIMITS.maxRegionPixels);
      } catch (err) {
        throw badSlide(this.file.path, `the ${name} image in the metadata cannot be decoded: ${errorText(err)}`, err);
      }
    }
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
