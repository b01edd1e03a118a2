import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import type { TiffContainer } from '../tiff/tiff-container';
import { tagNumber } from '../tiff/tiff-file';
import type { TiffImage } from '../tiff/tiff-image';
import { Tag } from '../tiff/tiff-tags';
import { tiffResolutionMpp } from './resolution';
import type { TiffLayout, TiffVendor } from './tiff-vendor';
import { addAssociated, namedAssociated, pyramid } from './tiff-vendor';

/** Any other tiled or stripped TIFF/BigTIFF: levels are the smaller images with level 0's aspect ratio. */
export const genericTiff: TiffVendor = {
  matches: () => true,
  layout(container: TiffContainer): TiffLayout {
    const [first, ...rest] = container.pages;
    const associated = new Map<AssociatedImageName, TiffImage>();
    const candidates: TiffImage[] = [...first!.subImages];
    for (const page of rest) {
      if (!addAssociated(associated, namedAssociated(page), page)) candidates.push(page, ...page.subImages);
    }
    const res = tiffResolutionMpp(tagNumber(first!.ifd, Tag.XResolution), tagNumber(first!.ifd, Tag.YResolution), tagNumber(first!.ifd, Tag.ResolutionUnit));
    return {
      format: container.bigTiff ? 'bigtiff' : 'tiff', vendor: null, levels: pyramid(first!, candidates), associated,
      mppX: res.mppX, mppY: res.mppY, magnification: null,
    };
  },
};
