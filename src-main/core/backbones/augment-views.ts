import type { ViewMode } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import type { RgbImage } from '../slides/slide-source';
import { mixSeed, seededRandom } from './seeded-random';
import { HED_FROM_RGB, opticalDensity, RGB_FROM_HED } from './stain-matrix';

/**
 * Views of a tile stored beside the original for feature-space augmentation: a head trains on the
 * embeddings of every view while the backbone runs once per view at extraction time.
 *
 * View numbers are global, so a stored view means the same thing whatever mode wrote it:
 *   0        original
 *   1..7     the other seven elements of the dihedral group D4 (rotations by 90 degrees, flips)
 *   8..8+K-1 stain-jitter variants 0..K-1 (random H&E concentration scale and shift)
 */
export type { ViewMode };
export type AugmentMode = ViewMode;

export interface ViewInfo {
  view: number;
  name: string;
}

/** D4 as (rotation quarter turns, then optional horizontal mirror); index 0 is the identity. */
const D4: ReadonlyArray<{ name: string; turns: number; mirror: boolean }> = [
  { name: 'original', turns: 0, mirror: false },
  { name: 'rot90', turns: 1, mirror: false },
  { name: 'rot180', turns: 2, mirror: false },
  { name: 'rot270', turns: 3, mirror: false },
  { name: 'flip', turns: 0, mirror: true },
  { name: 'flip-rot90', turns: 1, mirror: true },
  { name: 'flip-rot180', turns: 2, mirror: true },
  { name: 'flip-rot270', turns: 3, mirror: true },
];
export const FIRST_STAIN_VIEW = D4.length;
/** Largest stain variant count a mode may ask for. */
export const MAX_STAIN_VARIANTS = 64;

/**
 * Stain jitter strength, after Tellez et al. 2018 (HED augmentation): each stain's concentration
 * c becomes c * alpha + beta, alpha in [1 - SCALE, 1 + SCALE], beta in [-SHIFT, SHIFT] (optical
 * density units). The shift is kept small so that white background (c = 0) stays white-ish.
 */
const STAIN_SCALE = 0.1;
const STAIN_SHIFT = 0.03;

export function viewsFor(mode: AugmentMode, stainVariants = 4): ViewInfo[] {
  if (!['none', 'd4', 'stain', 'd4+stain'].includes(mode)) throw new HistoError('BAD_INPUT', `unknown augmentation mode ${String(mode)}`);
  if (!Number.isInteger(stainVariants) || stainVariants < 1 || stainVariants > MAX_STAIN_VARIANTS) {
    throw new HistoError('BAD_INPUT', `stain variants must be a whole number from 1 to ${MAX_STAIN_VARIANTS}, got ${stainVariants}`);
  }
  const views: ViewInfo[] = [{ view: 0, name: 'original' }];
  if (mode === 'd4' || mode === 'd4+stain') D4.slice(1).forEach((d, i) => views.push({ view: i + 1, name: d.name }));
  if (mode === 'stain' || mode === 'd4+stain') {
    for (let k = 0; k < stainVariants; k++) views.push({ view: FIRST_STAIN_VIEW + k, name: `stain-${k + 1}` });
  }
  return views;
}

/** The tile as seen through one view; deterministic for a given (seed, view). View 0 returns the tile itself. */
export function renderView(tile: RgbImage, view: number, seed: number): RgbImage {
  if (!Number.isInteger(view) || view < 0 || view >= FIRST_STAIN_VIEW + MAX_STAIN_VARIANTS) {
    throw new HistoError('BAD_INPUT', `no augmented view ${view}`);
  }
  if (view === 0) return tile;
  if (view < FIRST_STAIN_VIEW) return dihedral(tile, D4[view]!.turns, D4[view]!.mirror);
  return stainJitter(tile, mixSeed(seed, view));
}

/** Mirror horizontally (if asked), then rotate clockwise by `turns` quarter turns: a pure pixel permutation. */
function dihedral(tile: RgbImage, turns: number, mirror: boolean): RgbImage {
  const { width: w, height: h, data } = tile;
  const outW = turns % 2 === 0 ? w : h;
  const outH = turns % 2 === 0 ? h : w;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const mx = mirror ? w - 1 - x : x;
      let ox: number;
      let oy: number;
      switch (turns) {
        case 0:
          ox = mx;
          oy = y;
          break;
        case 1:
          ox = h - 1 - y;
          oy = mx;
          break;
        case 2:
          ox = w - 1 - mx;
          oy = h - 1 - y;
          break;
        default:
          ox = y;
          oy = w - 1 - mx;
      }
      const src = (y * w + x) * 3;
      const dst = (oy * outW + ox) * 3;
      out[dst] = data[src]!;
      out[dst + 1] = data[src + 1]!;
      out[dst + 2] = data[src + 2]!;
    }
  }
  return { width: outW, height: outH, data: out };
}

const OD_TABLE = Float64Array.from({ length: 256 }, (_, v) => opticalDensity(v));

/**
 * Perturbs the haematoxylin and eosin concentrations in optical density space. Being linear, the
 * whole change is one 3x3 matrix and an offset on each pixel's OD: od' = od x T + b with
 * T = HED_FROM_RGB x diag(alpha) x RGB_FROM_HED and b = beta x RGB_FROM_HED.
 */
function stainJitter(tile: RgbImage, seed: number): RgbImage {
  const rand = seededRandom(seed);
  const alpha = [1 + STAIN_SCALE * (2 * rand() - 1), 1 + STAIN_SCALE * (2 * rand() - 1), 1];
  const beta = [STAIN_SHIFT * (2 * rand() - 1), STAIN_SHIFT * (2 * rand() - 1), 0];
  const t = new Float64Array(9);
  const b = new Float64Array(3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let sum = 0;
      for (let s = 0; s < 3; s++) sum += HED_FROM_RGB[i]![s]! * alpha[s]! * RGB_FROM_HED[s]![j]!;
      t[i * 3 + j] = sum;
    }
  }
  for (let j = 0; j < 3; j++) for (let s = 0; s < 3; s++) b[j]! += beta[s]! * RGB_FROM_HED[s]![j]!;
  const { data } = tile;
  const out = new Uint8Array(data.length);
  for (let p = 0; p < data.length; p += 3) {
    const r = OD_TABLE[data[p]!]!;
    const g = OD_TABLE[data[p + 1]!]!;
    const bl = OD_TABLE[data[p + 2]!]!;
    for (let j = 0; j < 3; j++) {
      const od = r * t[j]! + g * t[3 + j]! + bl * t[6 + j]! + b[j]!;
      // Inverse of opticalDensity: v = 256 exp(-od) - 1, rounded and clamped to a byte.
      const v = Math.round(256 * Math.exp(-od) - 1);
      out[p + j] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width: tile.width, height: tile.height, data: out };
}
