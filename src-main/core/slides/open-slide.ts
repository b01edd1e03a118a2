import fs from 'node:fs/promises';
import { HistoError } from '../errors';
import { looksLikeDicom } from './dicom/dicom-instance';
import { DicomSlide } from './dicom/dicom-slide';
import { FileReader } from './file-reader';
import { contentFingerprint } from './fingerprint';
import { ImageSlide } from './image-slide';
import { looksLikeMirax, miraxFolder, MiraxSlide } from './mirax/mirax-slide';
import { badSlide } from './slide-error';
import type { SlideSource } from './slide-source';
import { readTiffContainer } from './tiff/tiff-container';
import { looksLikeTiff } from './tiff/tiff-file';
import { TiffSlide } from './tiff-slide';
import { tiffLayout } from './vendors/tiff-vendors';

export interface OpenSlideOptions {
  /** Microns per pixel to use instead of (or where the file lacks) its own; info reflects it. */
  mppOverride?: number;
}

/**
 * Opens a slide, choosing the reader by the file's content (magic bytes, then TIFF tags), never
 * by its extension: Aperio SVS, OME-TIFF, generic tiled or stripped TIFF/BigTIFF, DICOM WSI (a
 * folder or any one file of the series), PNG, JPEG. The one exception is MIRAX, whose .mrxs
 * file holds nothing to recognise: a .mrxs beside a data folder with a Slidedat.ini is one.
 * Errors are HistoErrors whose message starts with the path and says what is wrong.
 */
export async function openSlide(path: string, opts: OpenSlideOptions = {}): Promise<SlideSource> {
  const mppOverride = opts.mppOverride;
  if (mppOverride !== undefined && !(Number.isFinite(mppOverride) && mppOverride > 0)) {
    throw new HistoError('BAD_INPUT', `${path}: mpp override ${mppOverride} is not a positive number`);
  }
  // A folder is a DICOM WSI series (one file per level).
  if (await isFolder(path)) return DicomSlide.open(path, true, mppOverride);
  if (await looksLikeMirax(path)) return MiraxSlide.open(path, mppOverride);
  const file = await FileReader.open(path);
  if (/\.mrxs$/i.test(path)) {
    await file.close();
    throw badSlide(path, `is a MIRAX .mrxs file, but its data folder ${miraxFolder(path)} with Slidedat.ini is missing`);
  }
  try {
    if (file.size === 0) throw badSlide(path, 'is empty');
    const head = await file.readUpTo(0, 132);
    if (looksLikeDicom(head)) {
      await file.close();
      return await DicomSlide.open(path, false, mppOverride);
    }
    const fingerprint = await contentFingerprint(file);
    if (looksLikeTiff(head)) {
      // Container, then vendor detection, properties and levels, then the SlideSource: one pass each.
      const container = await readTiffContainer(file);
      return TiffSlide.create(file, tiffLayout(container), fingerprint, mppOverride);
    }
    if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return await ImageSlide.create(file, 'png', fingerprint, mppOverride);
    if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return await ImageSlide.create(file, 'jpeg', fingerprint, mppOverride);
    throw badSlide(path, 'is not a supported slide format (expected a TIFF, BigTIFF, Aperio SVS, OME-TIFF, DICOM WSI, PNG or JPEG file, a MIRAX .mrxs, or a DICOM folder)');
  } catch (err) {
    await file.close().catch(() => undefined);
    throw err;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false; // FileReader.open reports a missing file
  }
}
