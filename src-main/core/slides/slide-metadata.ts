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

/** Longest OME-XML we parse (a whole-slide OME header is kilobytes; multi-series files reach a few MB). */
const MAX_OME_XML = 16 << 20;
/** Longest single tag we read attributes from. */
const MAX_XML_TAG = 64 << 10;

/**
 * The start and end tags of an XML document, in order, in one linear pass: each search resumes
 * after the previous '>', so no input (however hostile) costs more than a scan of it.
 */
function xmlTags(xml: string): Array<{ name: string; closing: boolean; attrs: string }> {
  const tags: Array<{ name: string; closing: boolean; attrs: string }> = [];
  let pos = 0;
  for (;;) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt + 1);
    if (gt < 0) break;
    pos = gt + 1;
    if (gt - lt > MAX_XML_TAG) continue;
    let body = xml.slice(lt + 1, gt);
    const closing = body.startsWith('/');
    if (closing) body = body.slice(1);
    const space = body.search(/[\s/]/);
    const qualified = space < 0 ? body : body.slice(0, space);
    const name = qualified.slice(qualified.indexOf(':') + 1);
    tags.push({ name, closing, attrs: space < 0 ? '' : body.slice(space) });
  }
  return tags;
}

/** The Image elements of an OME-XML document, with name, first IFD and physical pixel size. */
export function omeImages(xml: string): OmeImage[] {
  if (xml.length > MAX_OME_XML) return [];
  const tags = xmlTags(xml);
  const objectiveMag = new Map<string, number>();
  for (const tag of tags) {
    if (tag.name !== 'Objective' || tag.closing) continue;
    const attrs = attributes(tag.attrs);
    const id = attrs.get('ID');
    const mag = Number(attrs.get('NominalMagnification'));
    if (id && Number.isFinite(mag) && mag > 0) objectiveMag.set(id, mag);
  }
  const images: OmeImage[] = [];
  let current: { name: string; pixels?: Map<string, string>; tiffData?: Map<string, string>; objective?: string } | null = null;
  const finish = (): void => {
    if (!current) return;
    const pa = current.pixels ?? new Map<string, string>();
    const size = (axis: 'X' | 'Y'): number | null => {
      const raw = pa.get(`PhysicalSize${axis}`);
      const scale = UNIT_TO_MICRONS[pa.get(`PhysicalSize${axis}Unit`) ?? 'µm'];
      if (raw === undefined || scale === undefined) return null;
      return plausibleMpp(Number(raw) * scale);
    };
    images.push({
      name: current.name,
      firstIfd: current.tiffData ? Number(current.tiffData.get('IFD') ?? 0) : null,
      mppX: size('X'),
      mppY: size('Y'),
      magnification: (current.objective && objectiveMag.get(current.objective)) || null,
    });
    current = null;
  };
  for (const tag of tags) {
    if (tag.name === 'Image') {
      finish();
      if (!tag.closing) current = { name: attributes(tag.attrs).get('Name') ?? '' };
    } else if (current && !tag.closing) {
      if (tag.name === 'Pixels' && !current.pixels) current.pixels = attributes(tag.attrs);
      else if (tag.name === 'TiffData' && !current.tiffData) current.tiffData = attributes(tag.attrs);
      else if (tag.name === 'ObjectiveSettings') current.objective = attributes(tag.attrs).get('ID');
    }
  }
  finish();
  return images;
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  // Anchored at a word start and bounded by MAX_XML_TAG: linear in the tag's length.
  for (const m of text.matchAll(/(?<![\w:])([\w:]+)\s*=\s*"([^"]*)"/g)) out.set(m[1]!, decodeEntities(m[2]!));
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
