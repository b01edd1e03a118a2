import type { TileReduction } from './decode-protocol';
import type { RgbImage } from './slide-source';

/** The smallest whole factor that brings a width x height image to at most `maxSide` on its longer side. */
export function reductionFactor(width: number, height: number, maxSide: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
}

/**
 * Averages `factor` x `factor` blocks of `src` into `dst` at (dx, dy): an exact box filter.
 * `validWidth`/`validHeight` bound the pixels of `src` that belong to the image (a decoded edge
 * tile is padded to the full tile size), so edge blocks average only real pixels. Blocks outside
 * `dst` are skipped.
 */
export function boxReduceInto(src: RgbImage, validWidth: number, validHeight: number, factor: number, dst: RgbImage, dx: number, dy: number): void {
  const outW = Math.min(Math.ceil(validWidth / factor), dst.width - dx);
  const outH = Math.min(Math.ceil(validHeight / factor), dst.height - dy);
  if (outW <= 0 || outH <= 0) return;
  const from = src.data;
  const to = dst.data;
  // Block sums of one output row: at most factor^2 * 255 each, well inside 32 bits.
  const sums = new Uint32Array(outW * 3);
  for (let oy = 0; oy < outH; oy++) {
    sums.fill(0);
    const y0 = oy * factor;
    const y1 = Math.min(validHeight, y0 + factor);
    for (let sy = y0; sy < y1; sy++) {
      const row = sy * src.width * 3;
      for (let ox = 0; ox < outW; ox++) {
        const x1 = Math.min(validWidth, (ox + 1) * factor);
        let r = 0;
        let g = 0;
        let b = 0;
        for (let s = row + ox * factor * 3, end = row + x1 * 3; s < end; s += 3) {
          r += from[s]!;
          g += from[s + 1]!;
          b += from[s + 2]!;
        }
        sums[ox * 3] = sums[ox * 3]! + r;
        sums[ox * 3 + 1] = sums[ox * 3 + 1]! + g;
        sums[ox * 3 + 2] = sums[ox * 3 + 2]! + b;
      }
    }
    const rows = y1 - y0;
    let d = ((dy + oy) * dst.width + dx) * 3;
    for (let ox = 0; ox < outW; ox++, d += 3) {
      const n = rows * (Math.min(validWidth, (ox + 1) * factor) - ox * factor);
      to[d] = Math.round(sums[ox * 3]! / n);
      to[d + 1] = Math.round(sums[ox * 3 + 1]! / n);
      to[d + 2] = Math.round(sums[ox * 3 + 2]! / n);
    }
  }
}

/** The valid `validWidth` x `validHeight` pixels of `src`, box-reduced by `factor` into a new image. */
export function boxReduced(src: RgbImage, validWidth: number, validHeight: number, factor: number): RgbImage {
  const width = Math.ceil(validWidth / factor);
  const height = Math.ceil(validHeight / factor);
  const out: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  boxReduceInto(src, validWidth, validHeight, factor, out, 0, 0);
  return out;
}

/** A decoded tile reduced as a coarse read asked (decode-pool.ts): its pixels inside the image only. */
export function reduceTile(image: RgbImage, reduction: TileReduction): RgbImage {
  return boxReduced(image, Math.min(reduction.validWidth, image.width), Math.min(reduction.validHeight, image.height), reduction.factor);
}
