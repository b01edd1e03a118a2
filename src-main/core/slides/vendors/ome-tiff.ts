import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import type { TiffContainer } from '../tiff/tiff-container';
import type { TiffImage } from '../tiff/tiff-image';
import { plausibleMpp, UNIT_TO_MICRONS } from './resolution';
import type { TiffLayout, TiffVendor } from './tiff-vendor';
import { addAssociated, namedAssociated, pyramid } from './tiff-vendor';
import { xmlAttributes, xmlTags } from './xml';

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
  const tags = xmlTags(xml);
  const objectiveMag = new Map<string, number>();
  for (const tag of tags) {
    if (tag.name !== 'Objective' || tag.closing) continue;
    const attrs = xmlAttributes(tag.attrs);
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
      if (!tag.closing) current = { name: xmlAttributes(tag.attrs).get('Name') ?? '' };
    } else if (current && !tag.closing) {
      if (tag.name === 'Pixels' && !current.pixels) current.pixels = xmlAttributes(tag.attrs);
      else if (tag.name === 'TiffData' && !current.tiffData) current.tiffData = xmlAttributes(tag.attrs);
      else if (tag.name === 'ObjectiveSettings') current.objective = xmlAttributes(tag.attrs).get('ID');
    }
  }
  finish();
  return images;
}

/** OME-TIFF: OME-XML in the first ImageDescription; reduced levels in SubIFDs (or, in older files, the main chain). */
export const omeTiff: TiffVendor = {
  matches: (container) => /<(\w+:)?OME\b/.test(container.pages[0]!.description),
  layout(container: TiffContainer): TiffLayout {
    const [first, ...chain] = container.pages;
    const images = omeImages(first!.description);
    const associated = new Map<AssociatedImageName, TiffImage>();
    for (const [i, image] of chain.entries()) {
      const lower = images.find((im) => im.firstIfd === i + 1)?.name.toLowerCase() ?? '';
      const name: AssociatedImageName | null = lower.includes('label') ? 'label' : lower.includes('macro') ? 'macro' : lower.includes('thumbnail') ? 'thumbnail' : namedAssociated(image);
      addAssociated(associated, name, image);
    }
    const taken = new Set<TiffImage>(associated.values());
    const candidates = first!.subImages.length > 0 ? first!.subImages : chain.filter((im) => !namedAssociated(im) && !taken.has(im));
    const main = images.find((im) => im.firstIfd === 0) ?? images[0];
    return {
      format: 'ome-tiff', vendor: 'ome', levels: pyramid(first!, candidates), associated,
      mppX: main?.mppX ?? null, mppY: main?.mppY ?? main?.mppX ?? null, magnification: main?.magnification ?? null,
    };
  },
};
