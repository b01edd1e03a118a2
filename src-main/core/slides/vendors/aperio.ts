import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import type { TiffContainer } from '../tiff/tiff-container';
import type { TiffImage } from '../tiff/tiff-image';
import { plausibleMagnification, plausibleMpp } from './resolution';
import type { TiffLayout, TiffVendor } from './tiff-vendor';
import { addAssociated, namedAssociated, pyramid } from './tiff-vendor';

/** `key = value` pairs of an Aperio ImageDescription (after the first '|'). */
export function aperioProperties(description: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of description.split('|').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export function aperioMetadata(description: string): { mpp: number | null; magnification: number | null } {
  const props = aperioProperties(description);
  return { mpp: plausibleMpp(Number(props.get('MPP'))), magnification: plausibleMagnification(Number(props.get('AppMag'))) };
}

/** Aperio SVS: an ImageDescription starting 'Aperio'; the second IFD is the thumbnail. */
export const aperio: TiffVendor = {
  matches: (container) => container.pages[0]!.description.startsWith('Aperio'),
  layout(container: TiffContainer): TiffLayout {
    const [first, ...rest] = container.pages;
    const levels: TiffImage[] = [];
    const associated = new Map<AssociatedImageName, TiffImage>();
    rest.forEach((image, i) => {
      // Aperio convention: the second IFD is the thumbnail, even when it is tiled and sits between levels.
      const named = addAssociated(associated, namedAssociated(image) ?? (i === 0 ? 'thumbnail' : null), image);
      if (!named && image.tiled) levels.push(image);
    });
    const meta = aperioMetadata(first!.description);
    return {
      format: 'svs', vendor: 'aperio', levels: pyramid(first!, levels), associated,
      mppX: meta.mpp, mppY: meta.mpp, magnification: meta.magnification,
    };
  },
};
