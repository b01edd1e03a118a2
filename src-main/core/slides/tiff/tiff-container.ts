import type { JpegHeaderInfo } from '../codecs/jpeg-restart';
import { parseJpegHeader } from '../codecs/jpeg-restart';
import type { FileReader } from '../file-reader';
import { badSlide, errorText } from '../slide-error';
import type { Ifd } from './tiff-file';
import { parseTiff } from './tiff-file';
import type { TiffImage } from './tiff-image';
import { describeImage } from './tiff-image';
import { Compression, Tag } from './tiff-tags';

/** A TIFF page (an IFD of the main chain) described once, with the SubIFD images under it. */
export interface TiffPage extends TiffImage {
  subImages: TiffImage[];
  /** For a page stored as one JPEG addressed by restart markers (NDPI McuStarts): its header. */
  restartJpeg?: JpegHeaderInfo;
}

/** Most bytes read to find the header of a restart-marker JPEG (tables and SOF come first). */
const MAX_JPEG_HEADER = 1 << 20;

/**
 * The container stage of a TIFF-family slide: every IFD parsed and described (geometry, tile
 * table, codec) in one pass, checked against the file size. Vendor readers only interpret it.
 */
export interface TiffContainer {
  path: string;
  fileSize: number;
  bigTiff: boolean;
  pages: TiffPage[];
}

export async function readTiffContainer(file: FileReader): Promise<TiffContainer> {
  const tiff = await parseTiff(file);
  const describe = (ifd: Ifd): TiffImage => describeImage(file.path, ifd, file.size);
  const flatten = (ifds: Ifd[]): TiffImage[] => ifds.flatMap((ifd) => [describe(ifd), ...flatten(ifd.subIfds)]);
  const pages: TiffPage[] = [];
  for (const ifd of tiff.ifds) {
    const page: TiffPage = { ...describe(ifd), subImages: flatten(ifd.subIfds) };
    if (ifd.tags.has(Tag.NdpiMcuStarts) && page.codec.compression === Compression.Jpeg && page.offsets.length === 1) {
      const bytes = await file.read(page.offsets[0]!, Math.min(page.byteCounts[0]!, MAX_JPEG_HEADER), `JPEG header of image ${ifd.id}`);
      try {
        page.restartJpeg = parseJpegHeader(bytes);
      } catch (err) {
        throw badSlide(file.path, `JPEG header of image ${ifd.id} cannot be read: ${errorText(err)}`, err);
      }
    }
    pages.push(page);
  }
  return { path: file.path, fileSize: file.size, bigTiff: tiff.bigTiff, pages };
}
