import * as dicomParser from 'dicom-parser';
import type { FileReader } from '../file-reader';
import { badSlide, errorText } from '../slide-error';

/** VL Whole Slide Microscopy Image Storage (DICOM Supplement 145). */
export const WSI_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';

/** Transfer syntaxes whose frames we decode, and how. */
export const TRANSFER_SYNTAXES: Readonly<Record<string, 'jpeg' | 'j2k' | 'native'>> = {
  '1.2.840.10008.1.2.4.50': 'jpeg',
  '1.2.840.10008.1.2.4.90': 'j2k',
  '1.2.840.10008.1.2.4.91': 'j2k',
  '1.2.840.10008.1.2.1': 'native',
};

/** One instance (file) of a DICOM WSI series: what its header says, nothing decoded. */
export interface DicomInstance {
  path: string;
  fileSize: number;
  sopClassUid: string;
  seriesUid: string;
  transferSyntax: string;
  /** Image Type values, upper case: ORIGINAL\PRIMARY\VOLUME, DERIVED\PRIMARY\LABEL, ... */
  imageType: string[];
  totalWidth: number;
  totalHeight: number;
  tileWidth: number;
  tileHeight: number;
  frames: number;
  samplesPerPixel: number;
  photometric: string;
  bitsAllocated: number;
  tiledSparse: boolean;
  /** For TILED_SPARSE: each frame's 1-based (column, row) position in the total pixel matrix. */
  framePositions: Array<[number, number]> | null;
  /** Frame number (0-based) of this instance's first frame when a level is split over several files. */
  frameOffset: number;
  /** Pixel Spacing (row, column) in mm, as written (may be 0 or missing). */
  pixelSpacing: [number, number] | null;
  /** Imaged Volume Height and Width in mm (NaN when absent): the fallback for the pixel size. */
  imagedVolume: [number, number];
  objectivePower: number | null;
  /** Where the Pixel Data value starts, and its length (undefined for encapsulated frames). */
  pixelDataOffset: number;
  pixelDataLength: number | null;
}

/** The first header read; doubled while the header (per-frame functional groups can be megabytes) runs past it. */
const FIRST_HEADER_READ = 256 << 10;
const MAX_HEADER_BYTES = 256 << 20;
const PIXEL_DATA = 'x7fe00010';

/** True when the file has the Part 10 preamble and 'DICM' magic. */
export function looksLikeDicom(head: Uint8Array): boolean {
  return head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
}

/**
 * The container stage of DICOM: the Part 10 header of one file, parsed by dicom-parser up to the
 * Pixel Data element (whose value is never loaded here), growing the read until the header fits.
 */
export async function readDicomInstance(file: FileReader): Promise<DicomInstance> {
  let length = Math.min(file.size, FIRST_HEADER_READ);
  for (;;) {
    const bytes = await file.read(0, length, 'DICOM header');
    let dataSet: dicomParser.DataSet | null = null;
    let failure: unknown = null;
    try {
      dataSet = dicomParser.parseDicom(bytes, { untilTag: PIXEL_DATA });
    } catch (err) {
      failure = err;
    }
    if (dataSet?.elements[PIXEL_DATA]) return describeInstance(file, dataSet);
    if (length >= file.size || length >= MAX_HEADER_BYTES) {
      if (failure) throw badSlide(file.path, `is not a readable DICOM file: ${typeof failure === 'string' ? failure : errorText(failure)}`);
      throw badSlide(file.path, 'is a DICOM file without Pixel Data');
    }
    length = Math.min(file.size, length * 4, MAX_HEADER_BYTES);
  }
}

function describeInstance(file: FileReader, ds: dicomParser.DataSet): DicomInstance {
  const path = file.path;
  const text = (tag: string): string => (ds.string(tag) ?? '').trim();
  const count = (tag: string, what: string): number => {
    const element = ds.elements[tag];
    const value = element ? (element.vr === 'IS' ? ds.intString(tag) : element.length >= 4 ? ds.uint32(tag) : ds.uint16(tag)) : undefined;
    if (value === undefined || !Number.isInteger(value) || value < 1) throw badSlide(path, `DICOM ${what} is missing or invalid (${value})`);
    return value;
  };
  const sopClassUid = text('x00080016');
  const transferSyntax = text('x00020010');
  if (sopClassUid !== WSI_SOP_CLASS) {
    throw badSlide(path, `is a DICOM instance of SOP class ${sopClassUid || '(none)'}, not VL Whole Slide Microscopy Image Storage (${WSI_SOP_CLASS})`);
  }
  const pixel = ds.elements[PIXEL_DATA]!;
  // Pixel Measures live in the shared functional groups, or (some converters) in each frame's.
  const spacing = (firstItem(firstItem(ds, 'x52009229'), 'x00289110') ?? firstItem(firstItem(ds, 'x52009230'), 'x00289110'))?.string('x00280030');
  const spacingValues = spacing?.split('\\').map(Number);
  const power = Number(firstItem(ds, 'x00480105')?.string('x00480112'));
  const tiledSparse = text('x00209311').toUpperCase() === 'TILED_SPARSE';
  const frames = ds.elements.x00280008 ? count('x00280008', 'Number of Frames') : 1;
  return {
    path,
    fileSize: file.size,
    sopClassUid,
    seriesUid: text('x0020000e'),
    transferSyntax,
    imageType: text('x00080008').toUpperCase().split('\\').map((s) => s.trim()),
    totalWidth: ds.elements.x00480006 ? count('x00480006', 'Total Pixel Matrix Columns') : count('x00280011', 'Columns'),
    totalHeight: ds.elements.x00480007 ? count('x00480007', 'Total Pixel Matrix Rows') : count('x00280010', 'Rows'),
    tileWidth: count('x00280011', 'Columns'),
    tileHeight: count('x00280010', 'Rows'),
    frames,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    photometric: text('x00280004').toUpperCase(),
    bitsAllocated: ds.uint16('x00280100') ?? 8,
    tiledSparse,
    framePositions: tiledSparse ? sparsePositions(path, ds, frames) : null,
    frameOffset: ds.uint32('x00209228') ?? 0,
    pixelSpacing: spacingValues && spacingValues.length >= 2 && spacingValues.every(Number.isFinite) ? [spacingValues[0]!, spacingValues[1]!] : null,
    imagedVolume: [ds.elements.x00480002 ? ds.float('x00480002') ?? NaN : NaN, ds.elements.x00480001 ? ds.float('x00480001') ?? NaN : NaN],
    objectivePower: Number.isFinite(power) && power > 0 ? power : null,
    pixelDataOffset: pixel.dataOffset,
    pixelDataLength: pixel.hadUndefinedLength ? null : pixel.length,
  };
}

function firstItem(ds: dicomParser.DataSet | undefined, tag: string): dicomParser.DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

/** Each frame's position from the Per-Frame Functional Groups' Plane Position (Slide) sequence. */
function sparsePositions(path: string, ds: dicomParser.DataSet, frames: number): Array<[number, number]> {
  const items = ds.elements.x52009230?.items ?? [];
  if (items.length !== frames) throw badSlide(path, `DICOM TILED_SPARSE instance lists ${items.length} frame positions for ${frames} frames`);
  return items.map((item, i) => {
    const position = firstItem(item.dataSet, 'x0048021a');
    const column = position?.int32('x0048021e');
    const row = position?.int32('x0048021f');
    if (column === undefined || row === undefined) throw badSlide(path, `DICOM frame ${i + 1} has no Plane Position (Slide)`);
    return [column, row];
  });
}
