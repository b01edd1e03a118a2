import { boxReduceInto } from './box-reduce';
import { loadSharp } from './sharp-loader';
import type { RgbImage } from './slide-source';
import { holdTiles } from './tile-recycler';

/** One resolution of a slide as a grid of tiles; a tile of null is absent (sparse) and reads white. */
export interface TileGrid {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  readTile(tileX: number, tileY: number): Promise<RgbImage | null>;
  /**
   * The tile's image pixels box-reduced by `factor` where it is decoded (a decode worker), so a
   * coarse read moves and holds a factor^2 fewer bytes; not cached. Absent where a format has no
   * cheaper way than readTile.
   */
  readTileReduced?(tileX: number, tileY: number, factor: number): Promise<RgbImage | null>;
}

export function whiteImage(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(255) };
}

function checkInto(into: Uint8Array, width: number, height: number): void {
  if (into.length !== width * height * 3) throw new Error(`a ${width}x${height} region needs ${width * height * 3} bytes, not ${into.length}`);
}

/**
 * `image` with its pixels in `into` when one is given (copied there unless they already are): how a
 * read honours a caller's buffer on paths that build the image elsewhere.
 */
export function deliverInto(image: RgbImage, into: Uint8Array | undefined): RgbImage {
  if (!into || image.data === into) return image;
  checkInto(into, image.width, image.height);
  into.set(image.data);
  return { width: image.width, height: image.height, data: into };
}

/**
 * Reads the rectangle (x, y, width, height) of a tile grid, in its own pixels: decodes the tiles it
 * overlaps (in parallel), stitches them, and leaves everything outside the image white. Given
 * `into` (width x height x 3 bytes), it writes there instead of allocating: a caller reading many
 * tiles reuses its buffers, and the main thread's garbage collector has less to do.
 */
export async function readGridRegion(grid: TileGrid, x: number, y: number, width: number, height: number, into?: Uint8Array): Promise<RgbImage> {
  if (into) checkInto(into, width, height);
  const out = into ? { width, height, data: into.fill(255) } : whiteImage(width, height);
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(grid.width, x + width);
  const y1 = Math.min(grid.height, y + height);
  if (x1 <= x0 || y1 <= y0) return out;
  const { tileWidth: tw, tileHeight: th } = grid;
  // Cached tiles go back to the decode workers when evicted: held until every copy out of them is done.
  const release = holdTiles();
  const jobs: Promise<void>[] = [];
  for (let ty = Math.floor(y0 / th); ty <= Math.floor((y1 - 1) / th); ty++) {
    for (let tx = Math.floor(x0 / tw); tx <= Math.floor((x1 - 1) / tw); tx++) {
      jobs.push(
        grid.readTile(tx, ty).then((tile) => {
          if (!tile) return;
          // The overlap of this tile, the image and the request, in grid pixels.
          const ox0 = Math.max(x0, tx * tw);
          const oy0 = Math.max(y0, ty * th);
          const ox1 = Math.min(x1, tx * tw + Math.min(tw, tile.width));
          const oy1 = Math.min(y1, ty * th + Math.min(th, tile.height));
          if (ox1 <= ox0) return;
          const rowBytes = (ox1 - ox0) * 3;
          for (let row = oy0; row < oy1; row++) {
            const src = ((row - ty * th) * tile.width + (ox0 - tx * tw)) * 3;
            const dst = ((row - y) * width + (ox0 - x)) * 3;
            out.data.set(tile.data.subarray(src, src + rowBytes), dst);
          }
        }),
      );
    }
  }
  // Every job settles before the hold ends, a failed one included: a late job still copies.
  try {
    await settleAll(jobs);
  } finally {
    release();
  }
  return out;
}

/**
 * The whole grid box-reduced by a whole `factor` (an exact box filter: edge blocks average only
 * image pixels), ceil(width / factor) x ceil(height / factor). Tiles are reduced as they are
 * decoded when the grid can and its tiles are whole blocks; otherwise the grid is read in chunks of
 * about 2048 pixels a side and reduced here, so no full-resolution copy of the level is ever held.
 */
export async function readGridReduced(grid: TileGrid, factor: number): Promise<RgbImage> {
  const out = whiteImage(Math.ceil(grid.width / factor), Math.ceil(grid.height / factor));
  const { tileWidth: tw, tileHeight: th } = grid;
  const readReduced = grid.readTileReduced?.bind(grid);
  if (readReduced && tw % factor === 0 && th % factor === 0) {
    const jobs: Promise<void>[] = [];
    for (let ty = 0; ty * th < grid.height; ty++) {
      for (let tx = 0; tx * tw < grid.width; tx++) {
        jobs.push(
          readReduced(tx, ty, factor).then((tile) => {
            if (tile) placeImage(tile, out, (tx * tw) / factor, (ty * th) / factor);
          }),
        );
      }
    }
    await settleAll(jobs);
    return out;
  }
  const chunk = factor * Math.max(1, Math.floor(2048 / factor));
  for (let cy = 0; cy < grid.height; cy += chunk) {
    for (let cx = 0; cx < grid.width; cx += chunk) {
      const w = Math.min(chunk, grid.width - cx);
      const h = Math.min(chunk, grid.height - cy);
      boxReduceInto(await readGridRegion(grid, cx, cy, w, h), w, h, factor, out, cx / factor, cy / factor);
    }
  }
  return out;
}

/** Copies `image` into `dst` at (dx, dy), clipped to `dst`. */
function placeImage(image: RgbImage, dst: RgbImage, dx: number, dy: number): void {
  const width = Math.min(image.width, dst.width - dx);
  for (let row = 0; row < image.height && dy + row < dst.height; row++) {
    const src = row * image.width * 3;
    dst.data.set(image.data.subarray(src, src + width * 3), ((dy + row) * dst.width + dx) * 3);
  }
}

/** Waits for every job, then throws the first failure: no job is still writing when this returns. */
async function settleAll(jobs: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(jobs)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Resizes with sharp (libvips): area-reducing then Lanczos, so downscaling is antialiased. */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const sharp = loadSharp();
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 }, limitInputPixels: false })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Fractions closer than this to a whole pixel are that pixel (x / downsample in floating point). */
const SUBPIXEL_EPSILON = 1e-6;

/** A fractional level position as its whole-pixel part and the fraction past it, in [0, 1). */
export function subpixelStart(fx: number, fy: number): { x: number; y: number; fracX: number; fracY: number } {
  const snap = (v: number): [number, number] => {
    const whole = Math.round(v);
    if (Math.abs(v - whole) < SUBPIXEL_EPSILON) return [whole, 0];
    const floor = Math.floor(v);
    return [floor, v - floor];
  };
  const [x, fracX] = snap(fx);
  const [y, fracY] = snap(fy);
  return { x, y, fracX, fracY };
}

/**
 * The width x height image that starts (fracX, fracY) pixels into `padded` (one pixel larger on
 * each axis), by bilinear interpolation between the four neighbours: what OpenSlide returns when
 * it paints a level at a fractional offset.
 */
export function shiftBilinear(padded: RgbImage, fracX: number, fracY: number, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const src = padded.data;
  const stride = padded.width * 3;
  const w00 = (1 - fracX) * (1 - fracY);
  const w10 = fracX * (1 - fracY);
  const w01 = (1 - fracX) * fracY;
  const w11 = fracX * fracY;
  for (let y = 0; y < height; y++) {
    let s = y * stride;
    let d = y * width * 3;
    for (let i = 0; i < width * 3; i++, s++, d++) {
      out[d] = Math.round(w00 * src[s]! + w10 * src[s + 3]! + w01 * src[s + stride]! + w11 * src[s + stride + 3]!);
    }
  }
  return { width, height, data: out };
}
