/**
 * What a pathologist reads off a microscope, for a deep-zoom view: the equivalent objective
 * magnification and a scale bar of a round length. Pure functions of the µm each screen pixel spans.
 */

/**
 * Equivalent magnification by the QuPath/OpenSlide convention that a 40× scan is 0.25 µm/px and a
 * 20× scan 0.5 µm/px (10 µm per pixel at 1×): screen µm/px -> 10 / mpp.
 */
export function equivalentMagnification(micronsPerScreenPixel: number): number {
  return 10 / micronsPerScreenPixel;
}

export function formatMagnification(magnification: number): string {
  if (!Number.isFinite(magnification) || magnification <= 0) return '';
  const rounded = magnification >= 10 ? Math.round(magnification) : Math.round(magnification * 10) / 10;
  return `${rounded}×`;
}

export interface ScaleBar {
  /** Width of the bar on screen, in CSS pixels. */
  pixels: number;
  microns: number;
  label: string;
}

/** A length of 1, 2 or 5 × 10^k µm, the longest that fits in `maxPixels` on screen. */
export function scaleBarFor(micronsPerScreenPixel: number, maxPixels = 120): ScaleBar | null {
  if (!Number.isFinite(micronsPerScreenPixel) || micronsPerScreenPixel <= 0 || maxPixels <= 0) return null;
  const longest = micronsPerScreenPixel * maxPixels;
  const decade = 10 ** Math.floor(Math.log10(longest));
  const step = [5, 2, 1].find((m) => m * decade <= longest) ?? 1;
  const microns = step * decade;
  return { pixels: microns / micronsPerScreenPixel, microns, label: formatLength(microns) };
}

/** 0.5 µm, 20 µm, 500 µm, 2 mm: millimetres from 1,000 µm on. */
export function formatLength(microns: number): string {
  const trim = (value: number) => String(Number(value.toPrecision(3)));
  return microns >= 1000 ? `${trim(microns / 1000)} mm` : `${trim(microns)} µm`;
}
