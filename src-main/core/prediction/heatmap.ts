import { HEATMAP_OPAQUE_FROM, HEATMAP_TRANSPARENT_BELOW } from '../../../src-shared/domain/heatmap';

/** One predicted tile in level-0 pixels with the score the heatmap shows. */
export interface ScoredTile {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

export interface HeatmapImage {
  width: number;
  height: number;
  /** RGBA, transparent where no tile was predicted. */
  data: Uint8Array;
  /** Level-0 pixels per heatmap pixel. */
  downsample: number;
}

/** A perceptually ordered dark-to-bright ramp (inferno-like), as 256 RGB entries. */
const ramp = (() => {
  const stops: Array<[number, [number, number, number]]> = [
    [0, [0, 0, 4]],
    [0.25, [87, 16, 110]],
    [0.5, [188, 55, 84]],
    [0.75, [249, 142, 9]],
    [1, [252, 255, 164]],
  ];
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let s = 0;
    while (s < stops.length - 2 && t > stops[s + 1]![0]) s++;
    const [t0, c0] = stops[s]!;
    const [t1, c1] = stops[s + 1]!;
    const f = (t - t0) / (t1 - t0);
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(c0[c]! + (c1[c]! - c0[c]!) * f);
  }
  return lut;
})();

export function colourOf(score: number): [number, number, number] {
  const i = Math.max(0, Math.min(255, Math.round(score * 255))) * 3;
  return [ramp[i]!, ramp[i + 1]!, ramp[i + 2]!];
}

/** How opaque a score is drawn (see HEATMAP_TRANSPARENT_BELOW): the ramp's dark end would otherwise hide the tissue. */
export function alphaOf(score: number): number {
  return Math.max(0, Math.min(1, (score - HEATMAP_TRANSPARENT_BELOW) / (HEATMAP_OPAQUE_FROM - HEATMAP_TRANSPARENT_BELOW)));
}

/** A rectangle in level-0 pixels and the RGBA it is painted with. */
interface PaintedTile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Rasterises tiles into one overlay image aligned with the slide (no DOM element per tile): each
 * tile fills the pixels its rectangle covers with `rgbaOf(tile)`. Linear in tiles + pixels.
 */
function paintTiles<T extends PaintedTile>(tiles: readonly T[], slideWidth: number, slideHeight: number, maxSide: number, rgbaOf: (tile: T) => [number, number, number, number]): HeatmapImage {
  const downsample = Math.max(1, Math.max(slideWidth, slideHeight) / maxSide);
  const width = Math.max(1, Math.ceil(slideWidth / downsample));
  const height = Math.max(1, Math.ceil(slideHeight / downsample));
  const data = new Uint8Array(width * height * 4);
  for (const tile of tiles) {
    const x0 = Math.max(0, Math.floor(tile.x / downsample));
    const y0 = Math.max(0, Math.floor(tile.y / downsample));
    const x1 = Math.min(width, Math.max(x0 + 1, Math.round((tile.x + tile.width) / downsample)));
    const y1 = Math.min(height, Math.max(y0 + 1, Math.round((tile.y + tile.height) / downsample)));
    const [r, g, b, a] = rgbaOf(tile);
    if (a === 0) continue;
    for (let y = y0; y < y1; y++) {
      let o = (y * width + x0) * 4;
      for (let x = x0; x < x1; x++, o += 4) {
        data[o] = r;
        data[o + 1] = g;
        data[o + 2] = b;
        data[o + 3] = a;
      }
    }
  }
  return { width, height, data, downsample };
}

/** One class's probability per tile on the ramp, low scores transparent (see alphaOf). */
export function renderHeatmap(tiles: readonly ScoredTile[], slideWidth: number, slideHeight: number, maxSide = 2048, opacity = 255): HeatmapImage {
  return paintTiles(tiles, slideWidth, slideHeight, maxSide, (tile) => {
    const [r, g, b] = colourOf(tile.score);
    return [r, g, b, Math.round(opacity * alphaOf(tile.score))];
  });
}

/** One predicted tile with every class's probability. */
export interface ClassifiedTile extends PaintedTile {
  probs: ArrayLike<number>;
}

/**
 * The class map of a multi-class head: each tile in the colour of its most probable class
 * (`classColours[i]` as RGB), opaque, so the legend's swatches read exactly as the map.
 */
export function renderClassMap(tiles: readonly ClassifiedTile[], classColours: ReadonlyArray<readonly [number, number, number]>, slideWidth: number, slideHeight: number, maxSide = 2048): HeatmapImage {
  return paintTiles(tiles, slideWidth, slideHeight, maxSide, (tile) => {
    let best = 0;
    for (let i = 1; i < tile.probs.length; i++) if (tile.probs[i]! > tile.probs[best]!) best = i;
    const [r, g, b] = classColours[best] ?? [127, 127, 127];
    return [r, g, b, 255];
  });
}
