import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import { restartTileHeader } from '../codecs/jpeg-restart';
import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import type { TiffContainer, TiffPage } from '../tiff/tiff-container';
import { tagNumber, tagNumbers } from '../tiff/tiff-file';
import type { TiffImage } from '../tiff/tiff-image';
import { Tag } from '../tiff/tiff-tags';
import { plausibleMagnification, tiffResolutionMpp } from './resolution';
import type { TiffLayout, TiffVendor } from './tiff-vendor';
import { pyramid } from './tiff-vendor';

/**
 * A level stored as one JPEG with restart markers, as a grid of tiles: each restart interval
 * (McuStarts gives where each begins) is a tile of interval x MCU width by one MCU row.
 */
function restartTiles(path: string, page: TiffPage, fileSize: number): TiffImage {
  const jpeg = page.restartJpeg!;
  const low = tagNumbers(page.ifd, Tag.NdpiMcuStarts) ?? [];
  const high = tagNumbers(page.ifd, Tag.NdpiMcuStartsHigh);
  const starts = low.map((l, i) => l + (high?.[i] ?? 0) * 2 ** 32);
  const what = `image ${page.ifd.id}`;
  const mcusPerRow = Math.ceil(jpeg.width / jpeg.mcuWidth);
  if (jpeg.width !== page.width || jpeg.height !== page.height) throw badSlide(path, `${what} is ${page.width}x${page.height}, but its JPEG says ${jpeg.width}x${jpeg.height}`);
  if (jpeg.restartInterval < 1 || mcusPerRow % jpeg.restartInterval !== 0) throw badSlide(path, `${what} has restart offsets, but its JPEG restart interval (${jpeg.restartInterval}) does not divide its ${mcusPerRow} MCUs per row`);
  const tileWidth = jpeg.restartInterval * jpeg.mcuWidth;
  const tileHeight = jpeg.mcuHeight;
  const tilesAcross = mcusPerRow / jpeg.restartInterval;
  const tilesDown = Math.ceil(jpeg.height / tileHeight);
  const count = tilesAcross * tilesDown;
  if (count > SLIDE_LIMITS.maxTilesPerImage || starts.length < count) throw badSlide(path, `${what} needs ${count} restart intervals, but lists ${starts.length}`);
  const stripOffset = page.offsets[0]!;
  const stripEnd = stripOffset + page.byteCounts[0]!;
  const offsets: number[] = [];
  const byteCounts: number[] = [];
  for (let k = 0; k < count; k++) {
    const begin = stripOffset + starts[k]!;
    const end = k + 1 < count ? stripOffset + starts[k + 1]! : stripEnd;
    if (!(begin >= stripOffset && end > begin && end <= stripEnd && end <= fileSize)) {
      throw badSlide(path, `restart interval ${k} of ${what} lies outside its JPEG or past the end of the file (bytes ${begin}..${end} of ${fileSize})`);
    }
    offsets.push(begin);
    byteCounts.push(end - begin);
  }
  return {
    ...page, tiled: true, tileWidth, tileHeight, tilesAcross, tilesDown, offsets, byteCounts,
    codec: { ...page.codec, tileWidth, tileHeight, restartHeader: restartTileHeader(jpeg.header, tileWidth, tileHeight) },
  };
}

/**
 * Hamamatsu NDPI (OpenSlide's hamamatsu backend): TIFF-like with tag 65420 in every IFD and
 * 64-bit offsets (the container reads their high bits). Each level is one JPEG strip; with
 * restart offsets (McuStarts) it is read in restart-interval tiles. SourceLens (65421) is the
 * level's magnification, -1 marks the macro and -2 the map of scanned regions.
 */
export const hamamatsu: TiffVendor = {
  matches: (container) => container.pages[0]!.ifd.tags.has(Tag.NdpiFormatFlag),
  layout(container: TiffContainer): TiffLayout {
    const associated = new Map<AssociatedImageName, TiffImage>();
    const candidates: TiffImage[] = [];
    for (const page of container.pages) {
      const lens = tagNumber(page.ifd, Tag.NdpiSourceLens) ?? 0;
      if (lens === -1) {
        if (!associated.has('macro')) associated.set('macro', page);
      } else if (lens > 0) {
        candidates.push(page.restartJpeg && page.ifd.tags.has(Tag.NdpiMcuStarts) ? restartTiles(container.path, page, container.fileSize) : page);
      }
    }
    if (candidates.length === 0) throw badSlide(container.path, 'is an NDPI file without any pyramid level (no image with a positive SourceLens)');
    candidates.sort((a, b) => b.width - a.width);
    const base = candidates[0]!;
    const res = tiffResolutionMpp(tagNumber(base.ifd, Tag.XResolution), tagNumber(base.ifd, Tag.YResolution), tagNumber(base.ifd, Tag.ResolutionUnit));
    return {
      format: 'ndpi', vendor: 'hamamatsu', levels: pyramid(base, candidates.slice(1)), associated,
      mppX: res.mppX, mppY: res.mppY, magnification: plausibleMagnification(tagNumber(base.ifd, Tag.NdpiSourceLens) ?? NaN),
    };
  },
};
