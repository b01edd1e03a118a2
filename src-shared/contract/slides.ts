import { z } from 'zod';
import { SlideInfo } from '../domain/slide';
import { TileGrid } from '../domain/tiling';
import { FilePath } from './project';

/** µm per pixel supplied by the user when the file does not say (or says wrong). */
export const MppOverride = z.number().positive().max(1000, 'mpp above 1000 µm/px is not a microscope slide');

export const TilesRequest = z
  .strictObject({
    path: FilePath,
    tileSize: z.number().int().min(8).max(8192),
    mpp: z.number().positive().max(1000).optional(),
    level: z.number().int().min(0).max(64).optional(),
    overlap: z.number().int().min(0).default(0),
    minTissue: z.number().min(0).max(1).default(0),
    mppOverride: MppOverride.optional(),
  })
  .refine((r) => (r.mpp === undefined) !== (r.level === undefined), { message: 'give exactly one of mpp or level' })
  .refine((r) => r.overlap < r.tileSize, { message: 'overlap must be smaller than the tile size', path: ['overlap'] });
export type TilesRequest = z.input<typeof TilesRequest>;

export const slideMethods = {
  'slide.info': { input: z.strictObject({ path: FilePath, mppOverride: MppOverride.optional() }), output: SlideInfo },
  'slide.tiles': { input: TilesRequest, output: TileGrid },
} as const;
