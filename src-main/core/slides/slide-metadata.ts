/** Metadata parsed from the text a scanner leaves in a slide: Aperio ImageDescription, OME-XML, TIFF resolution. */

export interface Resolution {
  mppX: number | null;
  mppY: number | null;
}

/** Microns per pixel outside this range are not a microscope's (72 dpi is 352 um per pixel). */
const MPP_MIN = 0.01;
const MPP_MAX = 20;

function plausibleMpp(value: number): number | null {
  return Number.isFinite(value) && value >= MPP_MIN && value <= MPP_MAX ? value : null;
}

export function isAperioDescription(description: string): boolean {
  return description.startsWith('Aperio');
}

/** `key = value` pairs of an Aperio ImageDescription (after the first '|'). */
export function aperioProperties(description: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = description.split('|');
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export function aperioMetadata(description: string): { mpp: number | null; magnification: number | null } {
  const props = aperioProperties(description);
  const mpp = plausibleMpp(Number(props.get('MPP')));
  const mag = Number(props.get('AppMag'));
  return { mpp, magnification: Number.isFinite(mag) && mag > 0 ? mag : null };
}

const UNIT_TO_MICRONS: Record<string, number> = {
  'µm': 1, 'μm': 1, um: 1, micron: 1, microns: 1, micrometer: 1, nm: 1e-3, 'Å': 1e-4, pm: 1e-6, mm: 1e3, cm: 1e4, m: 1e6,
};

export interface OmeImage {
  name: string;
  /** IFD index of the image's first plane (TiffData IFD, default 0). */
  firstIfd: number | null;
  mppX: number | null;
  mppY: number | null;
  magnification: number | null;
}

/** The Image elements of an OME-XML document, with name, first IFD and physical pixel size. */
export function omeImages(xml: string): OmeImage[] {
  const images: OmeImage[] = [];
  // OME-XML is machine-written and regular; attribute scans suffice and never execute anything.
  const objectiveMag = new Map<string, number>();
  for (const m of xml.matchAll(/<(?:\w+:)?Objective\b([^>]*)>/g)) {
    const attrs = attributes(m[1] ?? '');
    const id = attrs.get('ID');
    const mag = Number(attrs.get('NominalMagnification'));
    if (id && Number.isFinite(mag) && mag > 0) objectiveMag.set(id, mag);
  }
  const imageRe = /<(?:\w+:)?Image\b([^>]*)>([\s\S]*?)<\/(?:\w+:)?Image>/g;
  for (const m of xml.matchAll(imageRe)) {
    const attrs = attributes(m[1] ?? '');
    const body = m[2] ?? '';
    const pixels = /<(?:\w+:)?Pixels\b([^>]*)>/.exec(body);
    const pa = attributes(pixels?.[1] ?? '');
    const size = (axis: 'X' | 'Y'): number | null => {
      const value = Number(pa.get(`PhysicalSize${axis}`));
      const unit = pa.get(`PhysicalSize${axis}Unit`) ?? 'µm';
      const scale = UNIT_TO_MICRONS[unit];
      if (!pa.has(`PhysicalSize${axis}`) || scale === undefined) return null;
      return plausibleMpp(value * scale);
    };
    const tiffData = /<(?:\w+:)?TiffData\b([^>]*)>/.exec(body);
    const ifdAttr = tiffData ? attributes(tiffData[1] ?? '').get('IFD') : undefined;
    const objective = /<(?:\w+:)?ObjectiveSettings\b([^>]*)>/.exec(body);
    const objectiveId = objective ? attributes(objective[1] ?? '').get('ID') : undefined;
    images.push({
      name: attrs.get('Name') ?? '',
      firstIfd: tiffData ? Number(ifdAttr ?? 0) : null,
      mppX: size('X'),
      mppY: size('Y'),
      magnification: (objectiveId && objectiveMag.get(objectiveId)) || null,
    });
  }
  return images;
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([\w:]+)\s*=\s*"([^"]*)"/g)) out.set(m[1]!, decodeEntities(m[2]!));
  return out;
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

/**
 * Microns per pixel from TIFF XResolution/YResolution and ResolutionUnit (2 inch, 3 cm). Unit 1
 * (none) and values no microscope produces (a 72 or 300 dpi default) give null.
 */
export function tiffResolutionMpp(xRes: number | undefined, yRes: number | undefined, unit: number | undefined): Resolution {
  const micronsPerUnit = unit === 3 ? 1e4 : unit === 2 || unit === undefined ? 25400 : null;
  if (micronsPerUnit === null) return { mppX: null, mppY: null };
  const conv = (res: number | undefined): number | null => (res && res > 0 ? plausibleMpp(micronsPerUnit / res) : null);
  const mppX = conv(xRes);
  const mppY = conv(yRes) ?? mppX;
  return mppX === null ? { mppX: null, mppY: null } : { mppX, mppY };
}
