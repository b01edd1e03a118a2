import fs from 'node:fs/promises';
import nodePath from 'node:path';
import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import { FileReader } from '../file-reader';
import { badSlide } from '../slide-error';
import { plausibleMpp } from '../vendors/resolution';
import type { DicomInstance } from './dicom-instance';
import { looksLikeDicom, readDicomInstance } from './dicom-instance';

/** One level (or associated image) of a series: the instances that hold its frames. */
export interface DicomImage {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  instances: DicomInstance[];
}

/** The vendor stage of DICOM WSI: levels, associated images and physical size of one series. */
export interface DicomSeries {
  seriesUid: string;
  levels: DicomImage[];
  associated: Map<AssociatedImageName, DicomImage>;
  mppX: number | null;
  mppY: number | null;
  magnification: number | null;
  /** Every file opened, kept open for frame reads. */
  files: Map<string, FileReader>;
}

/** Most files looked at in one folder. */
const MAX_FOLDER_FILES = 10_000;

/** The DICOM files of a folder (by their 'DICM' magic, whatever their names). */
async function dicomFilesIn(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  if (entries.length > MAX_FOLDER_FILES) throw badSlide(folder, `holds more than ${MAX_FOLDER_FILES} files`);
  const out: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = nodePath.join(folder, entry.name);
    const handle = await fs.open(file, 'r');
    try {
      const head = new Uint8Array(132);
      const { bytesRead } = await handle.read(head, 0, 132, 0);
      if (looksLikeDicom(head.subarray(0, bytesRead))) out.push(file);
    } finally {
      await handle.close();
    }
  }
  return out.sort();
}

const ASSOCIATED_TYPES: ReadonlyArray<[string, AssociatedImageName]> = [['LABEL', 'label'], ['OVERVIEW', 'macro'], ['THUMBNAIL', 'thumbnail']];

/**
 * Opens a DICOM WSI series from a folder holding one series, or from any one file of it (its
 * siblings of the same Series Instance UID are the other levels). Instances are grouped by size
 * into levels; Image Type names the label, overview and thumbnail.
 */
export async function openDicomSeries(target: string, isFolder: boolean): Promise<DicomSeries> {
  const folder = isFolder ? target : nodePath.dirname(target);
  const paths = isFolder ? await dicomFilesIn(folder) : [target, ...(await dicomFilesIn(folder)).filter((p) => p !== nodePath.resolve(target) && p !== target)];
  if (paths.length === 0) throw badSlide(target, isFolder ? 'is a folder holding no DICOM files (a folder opens as a DICOM WSI series)' : 'holds no DICOM files');
  const files = new Map<string, FileReader>();
  try {
    const instances: DicomInstance[] = [];
    for (const [i, file] of paths.entries()) {
      const reader = await FileReader.open(file);
      files.set(file, reader);
      let instance: DicomInstance;
      try {
        instance = await readDicomInstance(reader);
      } catch (err) {
        // Opening one file: siblings that are not part of its series do not matter.
        if (!isFolder && i > 0) {
          files.delete(file);
          await reader.close();
          continue;
        }
        throw err;
      }
      instances.push(instance);
    }
    const chosenSeries = isFolder ? null : instances[0]!.seriesUid;
    const series = new Set(instances.map((im) => im.seriesUid));
    if (isFolder && series.size > 1) {
      throw badSlide(target, `holds ${series.size} DICOM series (${[...series].join(', ')}); open one file of the series you want`);
    }
    const members = instances.filter((im) => chosenSeries === null || im.seriesUid === chosenSeries);
    for (const [file, reader] of files) {
      if (!members.some((m) => m.path === file)) {
        files.delete(file);
        await reader.close();
      }
    }
    return { ...describeSeries(target, members), files };
  } catch (err) {
    await Promise.all([...files.values()].map((f) => f.close()));
    throw err;
  }
}

function describeSeries(target: string, instances: DicomInstance[]): Omit<DicomSeries, 'files'> {
  const associated = new Map<AssociatedImageName, DicomImage>();
  const bySize = new Map<string, DicomImage>();
  for (const instance of instances) {
    const kind = ASSOCIATED_TYPES.find(([type]) => instance.imageType.includes(type));
    if (kind) {
      if (!associated.has(kind[1])) associated.set(kind[1], imageOf([instance]));
      continue;
    }
    const key = `${instance.totalWidth}x${instance.totalHeight}`;
    const level = bySize.get(key);
    if (level) level.instances.push(instance);
    else bySize.set(key, imageOf([instance]));
  }
  const sorted = [...bySize.values()].sort((a, b) => b.width - a.width);
  if (sorted.length === 0) throw badSlide(target, 'holds a DICOM series without any pyramid level (only label, overview or thumbnail images)');
  // Levels strictly smaller than the one before (a missing level is fine).
  const levels = sorted.filter((level, i) => i === 0 || (level.width < sorted[i - 1]!.width && level.height < sorted[i - 1]!.height));
  const base = levels[0]!.instances[0]!;
  // Pixel Spacing (row, column in mm); without it, the imaged volume over the pixel matrix.
  const volume = base.imagedVolume;
  const spacing = base.pixelSpacing ?? (volume[0] > 0 && volume[1] > 0 ? [volume[0] / base.totalHeight, volume[1] / base.totalWidth] as [number, number] : null);
  return {
    seriesUid: base.seriesUid,
    levels,
    associated,
    // Pixel Spacing is (row, column) in millimetres; 0 or nonsense is unknown, never guessed.
    mppX: spacing ? plausibleMpp(spacing[1] * 1000) : null,
    mppY: spacing ? plausibleMpp(spacing[0] * 1000) : null,
    magnification: base.objectivePower,
  };
}

function imageOf(instances: DicomInstance[]): DicomImage {
  const first = instances[0]!;
  return { width: first.totalWidth, height: first.totalHeight, tileWidth: first.tileWidth, tileHeight: first.tileHeight, instances };
}
