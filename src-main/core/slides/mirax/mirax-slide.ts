import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import nodePath from 'node:path';
import zlib from 'node:zlib';
import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import type { DecodePool } from '../decode-pool';
import { sharedDecodePool } from '../decode-pool';
import { decodeWholeImage } from '../codecs/whole-image';
import { FileReader } from '../file-reader';
import { SLIDE_LIMITS } from '../limits';
import type { MosaicPiece } from '../mosaic';
import { mosaicGrid } from '../mosaic';
import type { LevelGrid } from '../slide-base';
import { SlideBase } from '../slide-base';
import { badSlide, errorText } from '../slide-error';
import { slideInfo } from '../slide-info';
import type { RgbImage } from '../slide-source';
import { sharedTileCache } from '../tile-cache';
import type { MiraxDescription } from './mirax-description';
import { describeMirax } from './mirax-description';
import { decodeMiraxImage } from './mirax-images';
import type { DataRange } from './mirax-index';
import { MiraxIndex } from './mirax-index';
import type { MiraxLevel } from './mirax-layout';
import { miraxLevels, parsePositions } from './mirax-layout';
import { MAX_SLIDEDAT_BYTES, Slidedat, parseIni } from './slidedat';

/** The data folder of a .mrxs file: its path without the extension. */
export function miraxFolder(mrxsPath: string): string {
  return mrxsPath.slice(0, -nodePath.extname(mrxsPath).length);
}

/** True when `path` names a .mrxs file whose data folder holds a Slidedat.ini (OpenSlide's detection). */
export async function looksLikeMirax(path: string): Promise<boolean> {
  if (!/\.mrxs$/i.test(path)) return false;
  try {
    return (await fs.stat(nodePath.join(miraxFolder(path), 'Slidedat.ini'))).isFile();
  } catch {
    return false;
  }
}

let nextSlideKey = 1;

/**
 * A 3DHISTECH MIRAX slide: `name.mrxs` beside a folder `name/` holding Slidedat.ini, Index.dat
 * and the data files. Each level is a mosaic of the stored images, placed as mirax-layout.ts
 * works out, and decoded on demand through the shared pool and tile cache.
 */
export class MiraxSlide extends SlideBase {
  private constructor(
    fingerprint: string,
    info: ReturnType<typeof slideInfo>,
    grids: LevelGrid[],
    private readonly files: FileReader[],
    private readonly associatedRanges: Map<AssociatedImageName, DataRange>,
    private readonly cacheKey: string,
  ) {
    super(fingerprint, info, grids);
  }

  static async open(path: string, mppOverride: number | undefined): Promise<MiraxSlide> {
    const folder = miraxFolder(path);
    const slidedatText = await readSmallFile(path, nodePath.join(folder, 'Slidedat.ini'), MAX_SLIDEDAT_BYTES);
    const desc = describeMirax(new Slidedat(path, parseIni(Buffer.from(slidedatText).toString('utf8'))));
    const indexBytes = await readSmallFile(path, nodePath.join(folder, desc.indexFile), SLIDE_LIMITS.maxTagBytes);
    const index = new MiraxIndex(path, indexBytes, desc.slideId);
    const files: FileReader[] = [];
    try {
      for (const name of desc.dataFiles) files.push(await openPart(path, nodePath.join(folder, name)));
      const images = index.zoomLevels(desc.sections.length, { datafiles: files.length, images: desc.imagesX * desc.imagesY });
      for (const [z, level] of images.entries()) {
        for (const image of level) checkRange(path, files, image, `image ${image.imageIndex} of zoom level ${z}`);
      }
      const positions = desc.positionRecord ? await readPositions(path, desc, index, files) : null;
      // Zoom levels that shrink to nothing (a tiny slide with many levels) are left out.
      const all = miraxLevels(path, { ...desc, positions }, images);
      const firstEmpty = all.findIndex((l) => l.width < 1 || l.height < 1);
      const levels = firstEmpty < 0 ? all : all.slice(0, firstEmpty);
      const associatedRanges = new Map<AssociatedImageName, DataRange>();
      for (const [name, record] of desc.associatedRecords) {
        const range = index.nonHierarchical(record, files.length, `${name} image`);
        checkRange(path, files, range, `the ${name} image`);
        associatedRanges.set(name, range);
      }
      const info = slideInfo({
        path, format: 'mirax', vendor: 'mirax', mppX: desc.mppX, mppY: desc.mppY, magnification: desc.magnification, associated: associatedRanges,
        levels: levels.map((l) => ({ width: l.width, height: l.height, tileWidth: 512, tileHeight: 512 })),
      }, mppOverride);
      // MIRAX levels halve exactly: OpenSlide gives the concatenation ratio, not the size ratio.
      info.levels.forEach((level, i) => (level.downsample = levels[i]!.downsample));
      const cacheKey = `mirax${nextSlideKey++}:`;
      const pool = sharedDecodePool();
      const grids = levels.map((level, z) => ({ ...levelGrid(path, files, level, desc.sections[z]!, pool, `${cacheKey}${z}:`, z), downsample: level.downsample }));
      const fingerprint = createHash('sha256').update('mirax:').update(slidedatText).update(indexBytes).digest('hex').slice(0, 32);
      return new MiraxSlide(fingerprint, info, grids, files, associatedRanges, cacheKey);
    } catch (err) {
      await Promise.all(files.map((f) => f.close()));
      throw err;
    }
  }

  protected async readAssociatedImage(name: AssociatedImageName): Promise<RgbImage> {
    const range = this.associatedRanges.get(name)!;
    const bytes = await this.files[range.fileno]!.read(range.offset, range.length, `the ${name} image`);
    try {
      return await decodeWholeImage(bytes, SLIDE_LIMITS.maxRegionPixels);
    } catch (err) {
      throw badSlide(this.info.path, `the ${name} image cannot be decoded: ${errorText(err)}`, err);
    }
  }

  protected async release(): Promise<void> {
    sharedTileCache().evictPrefix(this.cacheKey);
    await Promise.all(this.files.map((f) => f.close()));
  }
}

function levelGrid(path: string, files: FileReader[], level: MiraxLevel, section: MiraxDescription['sections'][number], pool: DecodePool, cacheKey: string, z: number) {
  const pieces: MosaicPiece[] = level.pieces.map((piece) => ({
    ...piece,
    source: () => sharedTileCache().get(`${cacheKey}${piece.image.imageIndex}`, async () => {
      const what = `image ${piece.image.imageIndex} of zoom level ${z}`;
      const bytes = await files[piece.image.fileno]!.read(piece.image.offset, piece.image.length, what);
      try {
        return await decodeMiraxImage(bytes, section.format, section.imageWidth, section.imageHeight, pool);
      } catch (err) {
        throw badSlide(path, `${what} cannot be decoded: ${errorText(err)}`, err);
      }
    }),
  }));
  return mosaicGrid(level.width, level.height, pieces);
}

/** Camera positions from the VIMSLIDE_POSITION_BUFFER record, or the deflated StitchingIntensityLayer one. */
async function readPositions(path: string, desc: MiraxDescription, index: MiraxIndex, files: FileReader[]): Promise<Int32Array> {
  const { record, compressed } = desc.positionRecord!;
  const range = index.nonHierarchical(record, files.length, 'camera position data');
  checkRange(path, files, range, 'the camera position data');
  const bytes = await files[range.fileno]!.read(range.offset, range.length, 'the camera position data');
  const count = Math.floor(desc.imagesX / desc.divisions) * Math.floor(desc.imagesY / desc.divisions);
  let raw: Uint8Array = bytes;
  if (compressed) {
    try {
      raw = zlib.inflateSync(bytes, { maxOutputLength: Math.max(1, count * 9) });
    } catch (err) {
      throw badSlide(path, `the camera position data cannot be inflated: ${errorText(err)}`, err);
    }
  }
  return parsePositions(path, raw, count, 2 ** desc.sections[0]!.concatExponent);
}

function checkRange(path: string, files: FileReader[], range: DataRange, what: string): void {
  const file = files[range.fileno]!;
  if (range.offset + range.length > file.size) {
    throw badSlide(path, `${what} lies past the end of ${nodePath.basename(file.path)} (bytes ${range.offset}..${range.offset + range.length} of ${file.size}; truncated file?)`);
  }
}

/** A file of the slide's data folder, opened with errors that name the slide. */
async function openPart(slidePath: string, file: string): Promise<FileReader> {
  try {
    return await FileReader.open(file);
  } catch (err) {
    throw badSlide(slidePath, `MIRAX data folder file ${nodePath.basename(file)} cannot be opened: ${errorText(err)}`, err);
  }
}

/** A whole small file of the slide, refusing one larger than `limit`. */
async function readSmallFile(slidePath: string, file: string, limit: number): Promise<Uint8Array> {
  const reader = await openPart(slidePath, file);
  try {
    if (reader.size > limit) throw badSlide(slidePath, `${nodePath.basename(file)} is ${reader.size} bytes, more than the ${limit} a MIRAX slide needs`);
    return await reader.read(0, reader.size, nodePath.basename(file));
  } finally {
    await reader.close();
  }
}
