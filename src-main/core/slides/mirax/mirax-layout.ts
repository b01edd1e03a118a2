import { SLIDE_LIMITS } from '../limits';
import type { PiecePlacement } from '../mosaic';
import { badSlide } from '../slide-error';
import type { IndexedImage } from './mirax-index';

/** One zoom level's Slidedat section. */
export interface ZoomSection {
  concatExponent: number;
  overlapX: number;
  overlapY: number;
  imageWidth: number;
  imageHeight: number;
}

export interface MiraxGeometry {
  imagesX: number;
  imagesY: number;
  /** CameraImageDivisionsPerSide: each camera photo is cut into divisions x divisions images. */
  divisions: number;
  sections: ZoomSection[];
  /** Level-0 pixel position of each camera photo (row-major), or null to derive them from the nominal overlap. */
  positions: Int32Array | null;
}

/** A rectangle of a stored image placed on a level, in whole level pixels. */
export interface MiraxPiece extends PiecePlacement {
  image: IndexedImage;
}

export interface MiraxLevel {
  width: number;
  height: number;
  downsample: number;
  /** In paint order: by tile row, then column (later on top where photos overlap). */
  pieces: MiraxPiece[];
}

/**
 * Places every image of every zoom level, as OpenSlide's MIRAX description and backend do. The
 * camera takes overlapping photos at recorded positions; each photo is cut into divisions^2
 * images that abut. Level n+1 halves level-n images and joins 2 x 2 of them into one image
 * (IMAGE_CONCAT_FACTOR), whatever the overlaps, so once an image holds parts of several photos it
 * is cut back into one piece per photo, each placed at its photo's position. Without overlaps or
 * positions every image simply sits at its grid position. Positions that are not whole pixels
 * at a coarse level are rounded to the nearest pixel.
 */
export function miraxLevels(path: string, g: MiraxGeometry, images: IndexedImage[][]): MiraxLevel[] {
  const base = g.sections[0]!;
  const positionsX = Math.floor(g.imagesX / g.divisions);
  const positionCount = positionsX * Math.floor(g.imagesY / g.divisions);
  const positions = g.positions ?? nominalPositions(g, positionsX, positionCount);
  if (positions.length < positionCount * 2) throw badSlide(path, `MIRAX position data holds ${positions.length / 2} camera positions, but the slide has ${positionCount}`);
  const stitched = g.positions !== null || base.overlapX !== 0 || base.overlapY !== 0;
  const baseWidth = sideLength(g.imagesX, g.divisions, base.imageWidth, base.overlapX);
  const baseHeight = sideLength(g.imagesY, g.divisions, base.imageHeight, base.overlapY);
  if (!(baseWidth >= 1 && baseHeight >= 1 && baseWidth <= SLIDE_LIMITS.maxDimension && baseHeight <= SLIDE_LIMITS.maxDimension)) {
    throw badSlide(path, `MIRAX level 0 would be ${baseWidth}x${baseHeight} pixels (limit ${SLIDE_LIMITS.maxDimension})`);
  }
  const active = new Set<number>();
  let exponent = 0;
  let baseConcat = 1;
  return g.sections.map((section, z) => {
    exponent += section.concatExponent;
    const concat = 2 ** exponent;
    if (z === 0) baseConcat = concat;
    const positionsPerImage = Math.max(1, concat / g.divisions);
    // With overlaps an image is cut into one piece per photo; without, it is one piece.
    const tilesPerImage = stitched ? positionsPerImage : 1;
    const positionsPerTile = stitched ? 1 : positionsPerImage;
    const tileDivisor = stitched ? Math.min(concat, g.divisions) : concat;
    const tileW = section.imageWidth / tilesPerImage;
    const tileH = section.imageHeight / tilesPerImage;
    const pieces: Array<MiraxPiece & { row: number; col: number }> = [];
    for (const image of images[z] ?? []) {
      const x = image.imageIndex % g.imagesX;
      const y = Math.floor(image.imageIndex / g.imagesX);
      if (x % concat !== 0 || y % concat !== 0) throw badSlide(path, `MIRAX zoom level ${z} lists image ${x},${y}, not a multiple of its ${concat} x ${concat} concatenation`);
      for (let yi = 0; yi < tilesPerImage && y + yi * g.divisions < g.imagesY; yi++) {
        for (let xi = 0; xi < tilesPerImage && x + xi * g.divisions < g.imagesX; xi++) {
          const [xx, yy] = [x + xi * g.divisions, y + yi * g.divisions];
          const [xp, yp] = [Math.floor(xx / g.divisions), Math.floor(yy / g.divisions)];
          const cp = yp * positionsX + xp;
          if (xp >= positionsX || cp >= positionCount) continue;
          if (z === 0) {
            // A photo recorded at (0, 0) that is not the first one was never taken.
            if (positions[cp * 2] === 0 && positions[cp * 2 + 1] === 0 && cp !== 0) continue;
            active.add(cp);
          } else if (!anyActive(active, xp, yp, positionsPerTile, positionsX)) {
            continue;
          }
          const px = (positions[cp * 2]! + base.imageWidth * (xx - xp * g.divisions)) / concat;
          const py = (positions[cp * 2 + 1]! + base.imageHeight * (yy - yp * g.divisions)) / concat;
          pieces.push({
            image, x: Math.round(px), y: Math.round(py), width: Math.round(tileW), height: Math.round(tileH),
            sourceX: Math.round(tileW * xi), sourceY: Math.round(tileH * yi), row: y / tileDivisor + yi, col: x / tileDivisor + xi,
          });
        }
      }
    }
    pieces.sort((a, b) => a.row - b.row || a.col - b.col);
    return {
      width: Math.floor(baseWidth / concat), height: Math.floor(baseHeight / concat), downsample: concat / baseConcat,
      pieces: pieces.map(({ row: _row, col: _col, ...piece }) => piece),
    };
  });
}

/** Level 0's side: whole images, less the overlap after the last image of each photo but the final one. */
function sideLength(count: number, divisions: number, imageSize: number, overlap: number): number {
  let length = 0;
  for (let i = 0; i < count; i++) length += Math.trunc(i % divisions !== divisions - 1 || i === count - 1 ? imageSize : imageSize - overlap);
  return length;
}

/** Photo positions on a regular grid, spaced by the photo size less the nominal overlap. */
function nominalPositions(g: MiraxGeometry, positionsX: number, count: number): Int32Array {
  const base = g.sections[0]!;
  const out = new Int32Array(count * 2);
  for (let i = 0; i < count; i++) {
    out[i * 2] = (i % positionsX) * (base.imageWidth * g.divisions - base.overlapX);
    out[i * 2 + 1] = Math.floor(i / positionsX) * (base.imageHeight * g.divisions - base.overlapY);
  }
  return out;
}

function anyActive(active: ReadonlySet<number>, xp: number, yp: number, span: number, positionsX: number): boolean {
  for (let y = yp; y < yp + span; y++) {
    for (let x = xp; x < xp + span; x++) if (x < positionsX && active.has(y * positionsX + x)) return true;
  }
  return false;
}

/**
 * The camera positions of a slide position record: 9 bytes each, a flag (0 or 1) and x, y as
 * signed 32-bit little-endian, times level 0's concatenation.
 */
export function parsePositions(path: string, bytes: Uint8Array, count: number, baseConcat: number): Int32Array {
  if (bytes.length !== count * 9) throw badSlide(path, `MIRAX position data is ${bytes.length} bytes, but ${count} camera positions need ${count * 9}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(count * 2);
  for (let i = 0; i < count; i++) {
    if (bytes[i * 9]! & 0xfe) throw badSlide(path, `MIRAX position ${i} has flag ${bytes[i * 9]} (expected 0 or 1)`);
    out[i * 2] = view.getInt32(i * 9 + 1, true) * baseConcat;
    out[i * 2 + 1] = view.getInt32(i * 9 + 5, true) * baseConcat;
  }
  return out;
}
