import type { TileGrid } from './region';
import { whiteImage } from './region';
import type { RgbImage } from './slide-source';

/** Where a rectangle of a stored image goes on a level. */
export interface PiecePlacement {
  /** Top-left corner on the level, in whole level pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Where the piece starts in its source image. */
  sourceX: number;
  sourceY: number;
}

/**
 * One rectangle of a stored image placed on a level: a camera tile of a Ventana BIF, an image (or
 * part of one) of a MIRAX slide. Pieces may overlap; where they do, the later one is on top.
 */
export interface MosaicPiece extends PiecePlacement {
  /** The decoded source image (cached by the caller), or null when it is absent. */
  source(): Promise<RgbImage | null>;
}

/** Side of the square output tiles a mosaic level is read in. */
const MOSAIC_TILE = 512;

/**
 * A level assembled from placed pieces, read as a grid of square output tiles: each output tile
 * paints the pieces that cross it in their order, so overlaps resolve as OpenSlide's tile maps do
 * (pieces later in the list, lower and further right, on top). Areas no piece covers are white.
 */
export function mosaicGrid(width: number, height: number, pieces: readonly MosaicPiece[]): TileGrid {
  const across = Math.ceil(width / MOSAIC_TILE);
  const down = Math.ceil(height / MOSAIC_TILE);
  // Which pieces cross each output tile, in paint order.
  const cells = new Map<number, number[]>();
  pieces.forEach((piece, index) => {
    if (piece.width <= 0 || piece.height <= 0) return;
    const tx0 = Math.max(0, Math.floor(piece.x / MOSAIC_TILE));
    const ty0 = Math.max(0, Math.floor(piece.y / MOSAIC_TILE));
    const tx1 = Math.min(across - 1, Math.floor((piece.x + piece.width - 1) / MOSAIC_TILE));
    const ty1 = Math.min(down - 1, Math.floor((piece.y + piece.height - 1) / MOSAIC_TILE));
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        const key = ty * across + tx;
        const list = cells.get(key);
        if (list) list.push(index);
        else cells.set(key, [index]);
      }
    }
  });
  return {
    width,
    height,
    tileWidth: MOSAIC_TILE,
    tileHeight: MOSAIC_TILE,
    async readTile(tx, ty) {
      const indices = cells.get(ty * across + tx);
      if (!indices) return null;
      const sources = await Promise.all(indices.map((i) => pieces[i]!.source()));
      const out = whiteImage(MOSAIC_TILE, MOSAIC_TILE);
      indices.forEach((i, k) => {
        const source = sources[k];
        if (source) paintPiece(out, tx * MOSAIC_TILE, ty * MOSAIC_TILE, pieces[i]!, source);
      });
      return out;
    },
  };
}

/** Copies the part of `piece` (from `source`) that falls inside the output tile at (ox, oy). */
function paintPiece(out: RgbImage, ox: number, oy: number, piece: MosaicPiece, source: RgbImage): void {
  // The piece clipped to its source image, then to the output tile, in level pixels.
  const w = Math.min(piece.width, source.width - piece.sourceX);
  const h = Math.min(piece.height, source.height - piece.sourceY);
  const x0 = Math.max(ox, piece.x);
  const y0 = Math.max(oy, piece.y);
  const x1 = Math.min(ox + out.width, piece.x + w);
  const y1 = Math.min(oy + out.height, piece.y + h);
  if (x1 <= x0 || y1 <= y0) return;
  const rowBytes = (x1 - x0) * 3;
  for (let y = y0; y < y1; y++) {
    const src = ((piece.sourceY + y - piece.y) * source.width + piece.sourceX + x0 - piece.x) * 3;
    out.data.set(source.data.subarray(src, src + rowBytes), ((y - oy) * out.width + x0 - ox) * 3);
  }
}
