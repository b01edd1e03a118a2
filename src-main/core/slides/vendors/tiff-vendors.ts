import type { TiffContainer } from '../tiff/tiff-container';
import { aperio } from './aperio';
import { genericTiff } from './generic-tiff';
import { hamamatsu } from './hamamatsu';
import { leica } from './leica';
import { omeTiff } from './ome-tiff';
import { philips } from './philips';
import { ventana } from './ventana';
import type { TiffLayout, TiffVendor } from './tiff-vendor';

/** Every TIFF-family format, most specific first: the first whose content test passes reads the file. */
const TIFF_VENDORS: readonly TiffVendor[] = [aperio, hamamatsu, philips, leica, ventana, omeTiff, genericTiff];

/** Vendor detection, then the vendor's properties, levels and associated images. */
export function tiffLayout(container: TiffContainer): TiffLayout {
  const vendor = TIFF_VENDORS.find((v) => v.matches(container))!;
  return vendor.layout(container);
}
