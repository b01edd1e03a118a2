import { z } from '../zod';

/** A tile in level-0 pixels, with the fraction of it that is tissue. */
export const GridTile = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  tissue: z.number().min(0).max(1),
});
export type GridTile = z.infer<typeof GridTile>;

/** What `histo tiles` prints: the grid at a target resolution or level. */
export const TileGrid = z.object({
  count: z.number().int().nonnegative(),
  /** µm per pixel of the output tiles, when the slide's mpp is known. */
  mpp: z.number().positive().nullable(),
  /** The level the pixels are read from (the nearest level at or finer than the target). */
  level: z.number().int().nonnegative(),
  /** Level-0 pixels per output pixel. */
  downsample: z.number().positive(),
  tileSize: z.number().int().positive(),
  tiles: z.array(GridTile),
});
export type TileGrid = z.infer<typeof TileGrid>;
