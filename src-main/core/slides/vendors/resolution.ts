/** Physical pixel size helpers every vendor shares: plausibility, units, TIFF resolution tags. */

export interface Resolution {
  mppX: number | null;
  mppY: number | null;
}

/** Microns per pixel outside this range are not a microscope's (72 dpi is 352 um per pixel). */
const MPP_MIN = 0.01;
const MPP_MAX = 20;

/**
 * The value when a microscope could have it, else null. Rounded to 12 significant digits so a
 * spacing in mm times 1000 gives back the number the scanner wrote (0.000499 mm is 0.499 um, not
 * 0.49900000000000005).
 */
export function plausibleMpp(value: number): number | null {
  return Number.isFinite(value) && value >= MPP_MIN && value <= MPP_MAX ? Number(value.toPrecision(12)) : null;
}

/** Microns in one of a length unit as OME and vendor XML spell it. */
export const UNIT_TO_MICRONS: Readonly<Record<string, number>> = {
  'µm': 1, 'μm': 1, um: 1, micron: 1, microns: 1, micrometer: 1, nm: 1e-3, 'Å': 1e-4, pm: 1e-6, mm: 1e3, cm: 1e4, m: 1e6,
};

/**
 * Microns per pixel from TIFF XResolution/YResolution and ResolutionUnit (2 inch, 3 cm). Unit 1
 * (none) and values no microscope produces (a 72 or 300 dpi default) give null.
 */
export function tiffResolutionMpp(xRes: number | undefined, yRes: number | undefined, unit: number | undefined): Resolution {
  const micronsPerUnit = unit === 3 ? 1e4 : unit === 2 || unit === undefined ? 25400 : null;
  if (micronsPerUnit === null) return { mppX: null, mppY: null };
  const conv = (res: number | undefined): number | null => (res && res > 0 ? plausibleMpp(micronsPerUnit / res) : null);
  const mppX = conv(xRes);
  const mppY = conv(yRes) ?? mppX;
  return mppX === null ? { mppX: null, mppY: null } : { mppX, mppY };
}

/** A positive magnification, or null. */
export function plausibleMagnification(value: number): number | null {
  return Number.isFinite(value) && value > 0 && value <= 1000 ? value : null;
}
