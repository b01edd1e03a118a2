import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import { plausibleMagnification, plausibleMpp } from '../vendors/resolution';
import type { MiraxImageFormat } from './mirax-images';
import { isMiraxImageFormat } from './mirax-images';
import type { ZoomSection } from './mirax-layout';
import type { Slidedat } from './slidedat';

/** What Slidedat.ini says about a MIRAX slide, checked. */
export interface MiraxDescription {
  slideId: string;
  imagesX: number;
  imagesY: number;
  divisions: number;
  sections: Array<ZoomSection & { format: MiraxImageFormat }>;
  mppX: number | null;
  mppY: number | null;
  magnification: number | null;
  indexFile: string;
  dataFiles: string[];
  /** Non-hierarchical record numbers in Index.dat. */
  positionRecord: { record: number; compressed: boolean } | null;
  associatedRecords: Map<AssociatedImageName, number>;
}

const GENERAL = 'GENERAL';
const HIER = 'HIERARCHICAL';
/** The Scan data layer values that hold associated images, as OpenSlide names them. */
const ASSOCIATED: ReadonlyArray<[string, AssociatedImageName]> = [['ScanDataLayer_SlideThumbnail', 'macro'], ['ScanDataLayer_SlideBarcode', 'label'], ['ScanDataLayer_SlidePreview', 'thumbnail']];

/** A file name Slidedat.ini gives for something in the slide's folder: a bare name, never a path out of it. */
function bareName(ini: Slidedat, group: string, key: string): string {
  const name = ini.string(group, key);
  const control = [...name].some((c) => c.charCodeAt(0) < 32);
  if (name === '' || control || /[\\/]/.test(name) || name === '.' || name === '..') throw badSlide(ini.path, `Slidedat.ini [${group}] ${key} is "${name}", not a file name in the slide's folder`);
  return name;
}

export function describeMirax(ini: Slidedat): MiraxDescription {
  const imagesX = ini.int(GENERAL, 'IMAGENUMBER_X', 1, 1 << 20);
  const imagesY = ini.int(GENERAL, 'IMAGENUMBER_Y', 1, 1 << 20);
  if (imagesX * imagesY > SLIDE_LIMITS.maxTilesPerImage) throw badSlide(ini.path, `Slidedat.ini claims ${imagesX}x${imagesY} images`);
  const divisions = ini.int(GENERAL, 'CameraImageDivisionsPerSide', 1, 64, 1);

  const hierCount = ini.int(HIER, 'HIER_COUNT', 1, 64);
  const zoomHier = Array.from({ length: hierCount }, (_, i) => ini.string(HIER, `HIER_${i}_NAME`)).indexOf('Slide zoom level');
  if (zoomHier !== 0) throw badSlide(ini.path, zoomHier < 0 ? 'Slidedat.ini has no "Slide zoom level" hierarchy' : 'Slidedat.ini puts the slide zoom levels elsewhere than HIER_0, which is not supported');
  const zoomCount = ini.int(HIER, 'HIER_0_COUNT', 1, 32);
  const sections = Array.from({ length: zoomCount }, (_, z) => zoomSection(ini, ini.string(HIER, `HIER_0_VAL_${z}_SECTION`), z));

  const dataFiles = Array.from({ length: ini.int('DATAFILE', 'FILE_COUNT', 1, 100_000) }, (_, i) => bareName(ini, 'DATAFILE', `FILE_${i}`));
  const nonHier = nonHierarchicalRecords(ini);
  const positions = nonHier.get('VIMSLIDE_POSITION_BUFFER')?.[0];
  const stitching = nonHier.get('StitchingIntensityLayer')?.[0];
  const associatedRecords = new Map<AssociatedImageName, number>();
  for (const [value, name] of ASSOCIATED) {
    const record = nonHier.get('Scan data layer')?.find((r) => r.value === value);
    if (record) associatedRecords.set(name, record.record);
  }
  const base = sections[0]!;
  return {
    slideId: ini.string(GENERAL, 'SLIDE_ID'),
    imagesX, imagesY, divisions, sections,
    mppX: plausibleMpp(base.mppX), mppY: plausibleMpp(base.mppY),
    magnification: ini.has(GENERAL, 'OBJECTIVE_MAGNIFICATION') ? plausibleMagnification(Number(ini.string(GENERAL, 'OBJECTIVE_MAGNIFICATION'))) : null,
    indexFile: bareName(ini, HIER, 'INDEXFILE'),
    dataFiles,
    positionRecord: positions ? { record: positions.record, compressed: false } : stitching ? { record: stitching.record, compressed: true } : null,
    associatedRecords,
  };
}

function zoomSection(ini: Slidedat, group: string, z: number): ZoomSection & { format: MiraxImageFormat; mppX: number; mppY: number } {
  if (!ini.has(group)) throw badSlide(ini.path, `Slidedat.ini has no [${group}] section for zoom level ${z}`);
  const format = ini.string(group, 'IMAGE_FORMAT');
  if (!isMiraxImageFormat(format)) throw badSlide(ini.path, `Slidedat.ini [${group}] IMAGE_FORMAT is ${format} (JPEG, PNG or BMP24 are read)`);
  const imageWidth = ini.int(group, 'DIGITIZER_WIDTH', 1, 65536);
  const imageHeight = ini.int(group, 'DIGITIZER_HEIGHT', 1, 65536);
  if (imageWidth * imageHeight > SLIDE_LIMITS.maxTilePixels) throw badSlide(ini.path, `Slidedat.ini [${group}] images of ${imageWidth}x${imageHeight} are larger than the limit`);
  return {
    format, imageWidth, imageHeight,
    concatExponent: ini.int(group, 'IMAGE_CONCAT_FACTOR', z === 0 ? 0 : 1, 8),
    overlapX: ini.number(group, 'OVERLAP_X'),
    overlapY: ini.number(group, 'OVERLAP_Y'),
    mppX: ini.number(group, 'MICROMETER_PER_PIXEL_X'),
    mppY: ini.number(group, 'MICROMETER_PER_PIXEL_Y'),
  };
}

/** Each non-hierarchical name's values with their Index.dat record numbers (counted across all names). */
function nonHierarchicalRecords(ini: Slidedat): Map<string, Array<{ value: string; record: number }>> {
  const out = new Map<string, Array<{ value: string; record: number }>>();
  let record = 0;
  const count = ini.int(HIER, 'NONHIER_COUNT', 0, 1024);
  for (let i = 0; i < count; i++) {
    const values = ini.int(HIER, `NONHIER_${i}_COUNT`, 0, 4096);
    const list = Array.from({ length: values }, (_, j) => ({ value: ini.has(HIER, `NONHIER_${i}_VAL_${j}`) ? ini.string(HIER, `NONHIER_${i}_VAL_${j}`) : '', record: record + j }));
    out.set(ini.string(HIER, `NONHIER_${i}_NAME`), list);
    record += values;
  }
  return out;
}
