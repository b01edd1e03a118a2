import { createHash } from 'node:crypto';
import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import type { DecodePool } from '../decode-pool';
import { sharedDecodePool } from '../decode-pool';
import { contentFingerprint } from '../fingerprint';
import { SLIDE_LIMITS } from '../limits';
import type { TileGrid } from '../region';
import { readGridRegion } from '../region';
import type { LevelGrid } from '../slide-base';
import { SlideBase } from '../slide-base';
import { badSlide, errorText } from '../slide-error';
import { slideInfo } from '../slide-info';
import type { RgbImage } from '../slide-source';
import { sharedTileCache } from '../tile-cache';
import type { TileCodec } from '../tiff/tiff-image';
import { Compression, Photometric } from '../tiff/tiff-tags';
import type { DicomInstance } from './dicom-instance';
import { TRANSFER_SYNTAXES } from './dicom-instance';
import type { FrameLocation } from './dicom-frames';
import { locateFrames, readFrame } from './dicom-frames';
import type { DicomImage, DicomSeries } from './dicom-series';
import { openDicomSeries } from './dicom-series';

/** How an instance's frames decode, in the terms of the shared tile decoder. */
function frameCodec(instance: DicomInstance): TileCodec {
  const { path, transferSyntax, photometric, samplesPerPixel: spp } = instance;
  const kind = TRANSFER_SYNTAXES[transferSyntax];
  if (!kind) throw badSlide(path, `uses DICOM transfer syntax ${transferSyntax || '(none)'}, which is not supported (JPEG baseline, JPEG 2000 or explicit VR little-endian uncompressed)`);
  if (instance.bitsAllocated !== 8) throw badSlide(path, `has ${instance.bitsAllocated}-bit samples; only 8-bit images are supported`);
  if (spp !== 1 && spp !== 3) throw badSlide(path, `has ${spp} samples per pixel`);
  const base = { samplesPerPixel: spp, predictor: 1, tileWidth: instance.tileWidth, tileHeight: instance.tileHeight, jpegTables: null };
  if (kind === 'jpeg') return { ...base, compression: Compression.Jpeg, photometric: spp === 1 ? Photometric.MinIsBlack : photometric === 'RGB' ? Photometric.Rgb : Photometric.YCbCr };
  // YBR_ICT / YBR_RCT: the codestream's own colour transform, which the decoder undoes. YBR_FULL
  // (a copied Aperio 33003 stream): the components themselves are YCbCr, converted after decoding.
  if (kind === 'j2k') return { ...base, compression: Compression.Jpeg2000, photometric: spp === 1 ? Photometric.MinIsBlack : photometric.startsWith('YBR_FULL') ? Photometric.YCbCr : Photometric.Rgb };
  if (photometric !== 'RGB' && photometric !== 'MONOCHROME2') throw badSlide(path, `has uncompressed ${photometric} pixels; only RGB and MONOCHROME2 are supported`);
  return { ...base, compression: Compression.None, photometric: spp === 1 ? Photometric.MinIsBlack : Photometric.Rgb };
}

/** A frame placed in its image's tile grid: which file, where its bytes are, how they decode. */
interface PlacedFrame {
  instance: DicomInstance;
  location: FrameLocation;
  codec: TileCodec;
}

let nextSlideKey = 1;

/** A DICOM WSI series as a SlideSource: one tile grid per level, frames decoded in the shared pool. */
export class DicomSlide extends SlideBase {
  private constructor(
    fingerprint: string,
    info: ReturnType<typeof slideInfo>,
    grids: LevelGrid[],
    private readonly series: DicomSeries,
    private readonly associatedGrids: Map<AssociatedImageName, TileGrid>,
    private readonly cacheKey: string,
  ) {
    super(fingerprint, info, grids);
  }

  static async open(target: string, isFolder: boolean, mppOverride: number | undefined): Promise<DicomSlide> {
    const series = await openDicomSeries(target, isFolder);
    try {
      const info = slideInfo({ path: target, format: 'dicom', vendor: 'dicom', ...series, levels: series.levels }, mppOverride);
      const cacheKey = `dicom${nextSlideKey++}:`;
      const pool = sharedDecodePool();
      const grids: LevelGrid[] = [];
      for (const [index, level] of series.levels.entries()) {
        grids.push({ ...(await gridOf(series, level, `level ${index}`, pool, `${cacheKey}${index}:`)), downsample: info.levels[index]!.downsample });
      }
      const associatedGrids = new Map<AssociatedImageName, TileGrid>();
      for (const [name, image] of series.associated) associatedGrids.set(name, await gridOf(series, image, `the ${name} image`, pool, null));
      const baseFile = series.files.get(series.levels[0]!.instances[0]!.path)!;
      const fingerprint = createHash('sha256').update(`dicom:${series.seriesUid}:${await contentFingerprint(baseFile)}`).digest('hex').slice(0, 32);
      return new DicomSlide(fingerprint, info, grids, series, associatedGrids, cacheKey);
    } catch (err) {
      await Promise.all([...series.files.values()].map((f) => f.close()));
      throw err;
    }
  }

  protected async readAssociatedImage(name: AssociatedImageName): Promise<RgbImage> {
    const grid = this.associatedGrids.get(name)!;
    if (grid.width * grid.height > SLIDE_LIMITS.maxRegionPixels) throw badSlide(this.info.path, `the ${name} image is too large (${grid.width}x${grid.height})`);
    return readGridRegion(grid, 0, 0, grid.width, grid.height);
  }

  protected async release(): Promise<void> {
    sharedTileCache().evictPrefix(this.cacheKey);
    await Promise.all([...this.series.files.values()].map((f) => f.close()));
  }
}

/**
 * The tile grid of a level: TILED_FULL frames fill it row by row (from each instance's
 * concatenation offset); TILED_SPARSE frames sit where their Plane Position says. A tile no
 * frame covers is missing and reads as background.
 */
async function gridOf(series: DicomSeries, image: DicomImage, what: string, pool: DecodePool, cacheKey: string | null): Promise<TileGrid> {
  const across = Math.ceil(image.width / image.tileWidth);
  const down = Math.ceil(image.height / image.tileHeight);
  if (across * down > SLIDE_LIMITS.maxTilesPerImage) throw badSlide(image.instances[0]!.path, `${what} claims ${across * down} tiles`);
  const placed = new Map<number, PlacedFrame>();
  for (const instance of image.instances) {
    const codec = frameCodec(instance);
    const file = series.files.get(instance.path)!;
    const locations = await locateFrames(file, instance, instance.tileWidth * instance.tileHeight * instance.samplesPerPixel);
    locations.forEach((location, i) => {
      let tile: number;
      if (instance.framePositions) {
        const [column, row] = instance.framePositions[i]!;
        const tx = (column - 1) / image.tileWidth;
        const ty = (row - 1) / image.tileHeight;
        if (!Number.isInteger(tx) || !Number.isInteger(ty) || tx < 0 || ty < 0 || tx >= across || ty >= down) return;
        tile = ty * across + tx;
      } else {
        tile = instance.frameOffset + i;
        if (tile >= across * down) return; // further focal planes or optical paths
      }
      if (!placed.has(tile)) placed.set(tile, { instance, location, codec });
    });
  }
  return {
    width: image.width,
    height: image.height,
    tileWidth: image.tileWidth,
    tileHeight: image.tileHeight,
    readTile: (tx, ty) => {
      const frame = placed.get(ty * across + tx);
      if (!frame || frame.location.length === 0) return Promise.resolve(null);
      const load = async (): Promise<RgbImage> => {
        const name = `frame at tile ${tx},${ty} of ${what}`;
        const bytes = await readFrame(series.files.get(frame.instance.path)!, frame.location, name);
        try {
          return await pool.decode(bytes!, frame.codec);
        } catch (err) {
          throw badSlide(frame.instance.path, `${name} cannot be decoded: ${errorText(err)}`, err);
        }
      };
      return cacheKey ? sharedTileCache().get(`${cacheKey}${ty * across + tx}`, load) : load();
    },
  };
}
