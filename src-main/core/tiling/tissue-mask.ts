import type { RgbImage, SlideSource } from '../slides/slide-source';
import { otsuThreshold } from './otsu';
import { fillHoles, removeSmallComponents } from './binary-morphology';

/** A binary tissue mask over the whole slide; one mask pixel covers `downsampleX` x `downsampleY` level-0 pixels. */
export interface TissueMask {
  width: number;
  height: number;
  downsampleX: number;
  downsampleY: number;
  /** 1 = tissue, 0 = background; row-major. */
  data: Uint8Array;
  /** The saturation threshold Otsu chose (0-255). */
  threshold: number;
}

export interface TissueOptions {
  /** Longest side of the image the mask is computed on. */
  maxSide?: number;
  /** Components smaller than this fraction of the image are dropped. */
  minAreaFraction?: number;
  /** Enclosed background smaller than this fraction of the image is filled. */
  maxHoleFraction?: number;
}

let saturationLookup: Uint8Array | undefined;

/** HSV saturation, round(255 * (max - min) / max), by (max << 8 | max - min): a million pixels per overview. */
function saturationTable(): Uint8Array {
  if (saturationLookup) return saturationLookup;
  const table = new Uint8Array(256 * 256);
  for (let max = 1; max < 256; max++) {
    for (let delta = 0; delta <= max; delta++) table[(max << 8) | delta] = Math.round((255 * delta) / max);
  }
  return (saturationLookup = table);
}

/**
 * Finds tissue as the Otsu foreground of HSV saturation on a low-resolution overview: stained
 * tissue is coloured, glass and background are grey or white. Very dark pixels (pen marks,
 * scanner borders) are not tissue. Small specks are removed and small holes filled.
 */
export function detectTissue(overview: RgbImage, options: TissueOptions = {}): Omit<TissueMask, 'downsampleX' | 'downsampleY'> {
  const { width, height, data } = overview;
  const pixels = width * height;
  // Each pixel's saturation, or 0 where it is too dark to be tissue (brightness, its max, 30 or
  // less): every threshold is above 0, so such a pixel never joins the mask.
  const candidate = new Uint8Array(pixels);
  const histogram = new Float64Array(256);
  const table = saturationTable();
  for (let p = 0, i = 0; p < pixels; p++, i += 3) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    const max = r > g ? (r > b ? r : b) : g > b ? g : b;
    const min = r < g ? (r < b ? r : b) : g < b ? g : b;
    const s = table[(max << 8) | (max - min)]!;
    candidate[p] = max > 30 ? s : 0;
    histogram[s]!++;
  }
  // A floor keeps a blank slide (only glass) from being split into "tissue" by noise.
  const threshold = Math.max(otsuThreshold(histogram), 12);
  const mask = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) mask[p] = candidate[p]! > threshold ? 1 : 0;
  fillHoles(mask, width, height, Math.round(pixels * (options.maxHoleFraction ?? 0.002)));
  removeSmallComponents(mask, width, height, Math.max(1, Math.round(pixels * (options.minAreaFraction ?? 0.0005))));
  return { width, height, data: mask, threshold };
}

/** Reads a low-resolution overview of the slide (box-filtered: the mean colour of each block) and detects its tissue. */
export async function computeTissueMask(source: SlideSource, options: TissueOptions = {}): Promise<TissueMask> {
  const image = await source.readCoarseOverview(options.maxSide ?? 1024);
  const mask = detectTissue(image, options);
  return { ...mask, downsampleX: source.info.width / mask.width, downsampleY: source.info.height / mask.height };
}

/** Summed-area table of the mask, so the tissue fraction of any rectangle costs four look-ups. */
export function maskIntegral(mask: TissueMask): Float64Array {
  const { width, height, data } = mask;
  const integral = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      rowSum += data[y * width + x]!;
      integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1]! + rowSum;
    }
  }
  return integral;
}

/**
 * Fraction of tissue in a level-0 rectangle: mask pixels count by the share of their area inside it,
 * so tiles smaller than a mask pixel still get a fraction rather than 0 or 1 by rounding.
 */
export function tissueFraction(mask: TissueMask, integral: Float64Array, x: number, y: number, width: number, height: number): number {
  const x0 = x / mask.downsampleX;
  const y0 = y / mask.downsampleY;
  const x1 = Math.min(mask.width, (x + width) / mask.downsampleX);
  const y1 = Math.min(mask.height, (y + height) / mask.downsampleY);
  if (x1 <= x0 || y1 <= y0) return 0;
  const stride = mask.width + 1;
  // Area-weighted sum via the integral of a piecewise-constant image: bilinear in continuous coordinates.
  const at = (px: number, py: number): number => {
    const ix = Math.min(mask.width, Math.floor(px));
    const iy = Math.min(mask.height, Math.floor(py));
    const fx = px - ix;
    const fy = py - iy;
    const i00 = integral[iy * stride + ix]!;
    const i10 = ix < mask.width ? integral[iy * stride + ix + 1]! : i00;
    const i01 = iy < mask.height ? integral[(iy + 1) * stride + ix]! : i00;
    const i11 = ix < mask.width && iy < mask.height ? integral[(iy + 1) * stride + ix + 1]! : i00;
    return i00 * (1 - fx) * (1 - fy) + i10 * fx * (1 - fy) + i01 * (1 - fx) * fy + i11 * fx * fy;
  };
  const sum = at(x1, y1) - at(x0, y1) - at(x1, y0) + at(x0, y0);
  return Math.min(1, Math.max(0, sum / ((x1 - x0) * (y1 - y0))));
}
