/**
 * Ruifrok & Johnston's colour deconvolution for H&E(-DAB) (Anal Quant Cytol Histol 2001), as in
 * scikit-image's `rgb_from_hed`: each row is one stain's optical density in R, G, B, normalised to
 * unit length. Optical density OD = stain concentrations x RGB_FROM_HED, so concentrations =
 * OD x HED_FROM_RGB. The third stain (DAB) doubles as the residual channel on plain H&E.
 */
export type Matrix3 = readonly [readonly [number, number, number], readonly [number, number, number], readonly [number, number, number]];

function normaliseRows(m: number[][]): Matrix3 {
  const rows = m.map((row) => {
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm) as [number, number, number];
  });
  return rows as unknown as Matrix3;
}

function invert3(m: Matrix3): Matrix3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

export const RGB_FROM_HED: Matrix3 = normaliseRows([
  [0.65, 0.7, 0.29], // haematoxylin
  [0.07, 0.99, 0.11], // eosin
  [0.27, 0.57, 0.78], // DAB / residual
]);

export const HED_FROM_RGB: Matrix3 = invert3(RGB_FROM_HED);

/** Optical density of an 8-bit value, with the +1 that keeps black finite: -ln((v + 1) / 256). */
export function opticalDensity(v: number): number {
  return -Math.log((v + 1) / 256);
}
