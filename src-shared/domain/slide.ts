import { z } from '../zod';

/** One resolution level of a slide pyramid; level 0 is full resolution. */
export const SlideLevel = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Level-0 pixels per pixel of this level (1 for level 0). */
  downsample: z.number().positive(),
  tileWidth: z.number().int().positive(),
  tileHeight: z.number().int().positive(),
});
export type SlideLevel = z.infer<typeof SlideLevel>;

export const AssociatedImageName = z.enum(['thumbnail', 'label', 'macro']);
export type AssociatedImageName = z.infer<typeof AssociatedImageName>;

/**
 * The formats the slide readers recognise by content. `tiff`/`bigtiff` are generic pyramids; each
 * vendor format names its scanner's container (docs/slide-formats.md says how to add one).
 */
export const SlideFormat = z.enum(['svs', 'ome-tiff', 'tiff', 'bigtiff', 'dicom', 'ndpi', 'philips-tiff', 'scn', 'bif', 'mirax', 'png', 'jpeg']);
export type SlideFormat = z.infer<typeof SlideFormat>;

/** Who wrote the slide, where the format says so (null for generic TIFF and plain images). */
export const SlideVendor = z.enum(['aperio', 'ome', 'dicom', 'hamamatsu', 'philips', 'leica', 'ventana', 'mirax']);
export type SlideVendor = z.infer<typeof SlideVendor>;

/** What `histo slide info` prints and the Slides view lists. Missing mpp is null, never guessed. */
export const SlideInfo = z.object({
  path: z.string(),
  format: SlideFormat,
  vendor: SlideVendor.nullable(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  levels: z.array(SlideLevel).min(1),
  mppX: z.number().positive().nullable(),
  mppY: z.number().positive().nullable(),
  magnification: z.number().positive().nullable(),
  associated: z.array(AssociatedImageName),
});
export type SlideInfo = z.infer<typeof SlideInfo>;
