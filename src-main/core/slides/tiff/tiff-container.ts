import type { FileReader } from '../file-reader';
import type { Ifd } from './tiff-file';
import { parseTiff } from './tiff-file';
import type { TiffImage } from './tiff-image';
import { describeImage } from './tiff-image';

/** A TIFF page (an IFD of the main chain) described once, with the SubIFD images under it. */
export interface TiffPage extends TiffImage {
  subImages: TiffImage[];
}

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
  const pages = tiff.ifds.map((ifd): TiffPage => ({ ...describe(ifd), subImages: flatten(ifd.subIfds) }));
  return { path: file.path, fileSize: file.size, bigTiff: tiff.bigTiff, pages };
}
