import { badSlide } from '../slide-error';
import type { TiffContainer } from '../tiff/tiff-container';
import type { TiffLayout, TiffVendor } from './tiff-vendor';

/**
 * Roche/Ventana BIF, recognised (an iScan element in a page's XMP) so that it is refused
 * clearly: level 0 is a mosaic of overlapping camera tiles (TileJointInfo overlaps, serpentine
 * numbering from the bottom) that must be stitched, and reading it as a plain tiled TIFF would
 * give misplaced pixels without any warning.
 */
export const ventana: TiffVendor = {
  matches: (container) => container.pages.some((page) => /<iScan\b/.test(page.xmp)),
  layout(container: TiffContainer): TiffLayout {
    throw badSlide(container.path, 'is a Ventana BIF slide, which is not supported yet (its overlapping level-0 tiles need stitching); convert it to OME-TIFF or DICOM to open it');
  },
};
