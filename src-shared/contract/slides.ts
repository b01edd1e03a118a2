import { z } from '../zod';
import { SlideFormat, SlideInfo, SlideLevel, SlideVendor } from '../domain/slide';
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

/** The id of a slide in the open project. */
export const SlideId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Where a slide's resolution came from: the file's own metadata, the user, or nowhere (unknown). */
export const MppSource = z.enum(['file', 'user']);
export type MppSource = z.infer<typeof MppSource>;

/** A slide of the open project as the Slides view lists it. */
export const SlideSummary = z.object({
  id: SlideId,
  path: z.string(),
  /** Content fingerprint: stable when the file moves; image URLs carry it so caches never mix slides. */
  fingerprint: z.string(),
  kind: z.enum(['slide', 'image']),
  /** The patch set (imported patch folder) an image belongs to: listed with it, not as a slide. */
  patchSetId: z.number().int().positive().nullable(),
  format: SlideFormat,
  vendor: SlideVendor.nullable(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  mppX: z.number().positive().nullable(),
  mppY: z.number().positive().nullable(),
  mppSource: MppSource.nullable(),
  magnification: z.number().positive().nullable(),
  levels: z.array(SlideLevel).min(1),
});
export type SlideSummary = z.infer<typeof SlideSummary>;

export const SlideImportFailure = z.object({ path: z.string(), message: z.string() });
export type SlideImportFailure = z.infer<typeof SlideImportFailure>;

export const SlidesImportResult = z.object({
  imported: z.array(SlideSummary),
  failed: z.array(SlideImportFailure),
});
export type SlidesImportResult = z.infer<typeof SlidesImportResult>;

/** Most paths one import call may name (each may be a folder holding many slides). */
export const MAX_IMPORT_PATHS = 1000;

export const SlidesImportRequest = z.strictObject({
  paths: z.array(FilePath).min(1, 'name at least one file or folder').max(MAX_IMPORT_PATHS, `at most ${MAX_IMPORT_PATHS} paths per import`),
});

export const SlidesOverlayRequest = z
  .strictObject({
    slideId: SlideId,
    tileSize: z.number().int().min(8).max(8192).default(224),
    mpp: z.number().positive().max(1000).optional(),
    level: z.number().int().min(0).max(64).optional(),
    minTissue: z.number().min(0).max(1).default(0.5),
  })
  .refine((r) => !(r.mpp !== undefined && r.level !== undefined), { message: 'give mpp or level, not both' });
export type SlidesOverlayRequest = z.input<typeof SlidesOverlayRequest>;

/**
 * What the viewer draws over a slide. The tissue mask itself is an image the viewer loads from
 * `slides/<id>/tissue.png` (same size as `mask`); the grid is compact: every tile is `extent` x
 * `extent` level-0 pixels, listed as flat triples [x, y, tissue, x, y, tissue, ...].
 */
export const SlideOverlay = z.object({
  slideId: SlideId,
  mask: z.object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /** Fraction of the slide's area that is tissue. */
    tissueFraction: z.number().min(0).max(1),
  }),
  grid: z.object({
    tileSize: z.number().int().positive(),
    mpp: z.number().positive().nullable(),
    level: z.number().int().nonnegative(),
    downsample: z.number().positive(),
    /** Side of one tile in level-0 pixels. */
    extent: z.number().int().positive(),
    minTissue: z.number().min(0).max(1),
    /** Tiles of the whole grid, before the tissue filter. */
    total: z.number().int().nonnegative(),
    /** Tiles kept (tissue >= minTissue), as listed in `tiles`. */
    count: z.number().int().nonnegative(),
    tiles: z.array(z.number().nonnegative()),
  }),
});
export type SlideOverlay = z.infer<typeof SlideOverlay>;

const Pixels = z.number().int().min(1).max(16_384);
const RegionRequest = z.strictObject({
  path: FilePath,
  /** Top-left corner in level-0 pixels. */
  x: z.number().int(),
  y: z.number().int(),
  /** Size at the level read. */
  width: Pixels,
  height: Pixels,
  level: z.number().int().min(0).max(64).default(0),
  out: FilePath,
});

export const slideMethods = {
  /** Writes a region of a slide to an image file (PNG, JPEG or TIFF by the extension). */
  'slide.region': {
    input: RegionRequest,
    output: z.object({ out: z.string(), x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int(), level: z.number().int() }),
  },
  /** Writes an overview of the whole slide, longest side at most `max` pixels. */
  'slide.thumbnail': {
    input: z.strictObject({ path: FilePath, max: z.number().int().min(16).max(8192).default(1024), out: FilePath }),
    output: z.object({ out: z.string(), width: z.number().int(), height: z.number().int() }),
  },
  'slide.info': { input: z.strictObject({ path: FilePath, mppOverride: MppOverride.optional() }), output: SlideInfo },
  'slide.tiles': { input: TilesRequest, output: TileGrid },
  /** Imports files and folders (scanned for slide files); one bad file never stops the others. */
  'slide.import': { input: SlidesImportRequest, output: SlidesImportResult },
  'slide.list': { input: z.strictObject({}), output: z.array(SlideSummary) },
  /** Stores a user-supplied resolution for a slide (both axes), recorded in the audit log. */
  'slide.setMpp': { input: z.strictObject({ slideId: SlideId, mpp: MppOverride }), output: SlideSummary },
  'slide.overlay': { input: SlidesOverlayRequest, output: SlideOverlay },
} as const;

/** Deep-zoom tiles the core serves for the viewer: square, no overlap, JPEG. */
export const DEEP_ZOOM_TILE_SIZE = 256;

/**
 * The deep-zoom (DZI-style) pyramid of a slide: level `maxLevel` is full resolution and each level
 * below halves it, down to `minLevel`, the first whose image fits in one tile. Shared so the
 * viewer's tile source and the core's tile renderer can never disagree on the geometry.
 */
export function deepZoomLevels(width: number, height: number, tileSize = DEEP_ZOOM_TILE_SIZE): { maxLevel: number; minLevel: number } {
  const maxSide = Math.max(width, height);
  const maxLevel = Math.max(0, Math.ceil(Math.log2(maxSide)));
  const minLevel = Math.max(0, maxLevel - Math.max(0, Math.ceil(Math.log2(maxSide / tileSize))));
  return { maxLevel, minLevel };
}

/** Paths of a slide's images under the server root or the `histo://` protocol. */
export const slideImagePaths = {
  tile: (slideId: number, level: number, column: number, row: number) => `slides/${slideId}/tiles/${level}/${column}_${row}.jpg`,
  thumbnail: (slideId: number) => `slides/${slideId}/thumbnail.jpg`,
  tissue: (slideId: number) => `slides/${slideId}/tissue.png`,
} as const;
