import type { AssociatedImageName, SlideFormat, SlideVendor } from '../../../../src-shared/domain/slide';
import type { PiecePlacement } from '../mosaic';
import type { TiffContainer } from '../tiff/tiff-container';
import type { TiffImage } from '../tiff/tiff-image';

/** What a vendor makes of a TIFF container: its pyramid levels, associated images and physical size. */
export interface TiffLayout {
  format: SlideFormat;
  vendor: SlideVendor | null;
  /** Level 0 first, each strictly smaller. */
  levels: TiffImage[];
  associated: Map<AssociatedImageName, TiffImage>;
  /** Associated images stored as encoded files in the metadata (Philips Base64 JPEGs), when no directory holds them. */
  encodedAssociated?: Map<AssociatedImageName, Uint8Array>;
  mppX: number | null;
  mppY: number | null;
  magnification: number | null;
  /**
   * For vendors whose level tiles overlap and must be stitched (Ventana): per level, its true
   * size and where each of its TIFF tiles (or a part of one) goes, in paint order.
   */
  placements?: LevelPlacement[];
}

/** A level assembled from placed TIFF tiles. */
export interface LevelPlacement {
  width: number;
  height: number;
  tiles: PlacedTile[];
}

/** A rectangle of the TIFF tile (tileX, tileY) placed on its level, in whole pixels. */
export interface PlacedTile extends PiecePlacement {
  tileX: number;
  tileY: number;
  /** The image the tile belongs to, when not the level's own (Leica regions). */
  image?: TiffImage;
}

/**
 * One TIFF-family format (OpenSlide's vendor backends): it recognises its files by content and
 * interprets their properties and images. Vendors never read the file themselves.
 */
export interface TiffVendor {
  /** Tried in order; the generic reader comes last and accepts anything. */
  matches(container: TiffContainer): boolean;
  layout(container: TiffContainer): TiffLayout;
}

/** The associated image an image's description or NewSubfileType names ('label 415x422', 'macro ...'). */
export function namedAssociated(image: TiffImage): AssociatedImageName | null {
  for (const line of image.description.split(/\r?\n/)) {
    const word = line.trim().toLowerCase();
    if (word.startsWith('label')) return 'label';
    if (word.startsWith('macro')) return 'macro';
    if (word.startsWith('thumbnail')) return 'thumbnail';
  }
  // Aperio marks the macro with NewSubfileType 9 (reduced image + bit 3).
  if (image.newSubfileType & 8) return 'macro';
  return null;
}

/** Levels sorted largest first, keeping only images strictly smaller than the one before and with level 0's aspect ratio. */
export function pyramid(base: TiffImage, candidates: TiffImage[]): TiffImage[] {
  const levels = [base];
  const sorted = candidates.slice().sort((a, b) => b.width - a.width);
  for (const image of sorted) {
    const last = levels[levels.length - 1]!;
    if (image.width >= last.width || image.height >= last.height) continue;
    // A level of downsample d has ceil or floor of w0/d: allow a pixel of rounding on each side.
    const d = base.width / image.width;
    if (Math.abs(base.height / d - image.height) > 1.5 + (base.height / d) * 0.01) continue;
    levels.push(image);
  }
  return levels;
}

/** Adds an associated image unless one of that name is already there (the first one wins). */
export function addAssociated(associated: Map<AssociatedImageName, TiffImage>, name: AssociatedImageName | null, image: TiffImage): boolean {
  if (!name) return false;
  if (!associated.has(name)) associated.set(name, image);
  return true;
}
