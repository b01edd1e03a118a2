import type { MapColors } from '../../../src-shared/contract';
import { classColor } from '../../../src-shared/domain/class-colors';

const NONE: [number, number, number, number] = [190, 190, 190, 110];

/** Categories (labels, classes, slides) take the class colours, so a class looks the same in every view and export. */
export function categoryColor(index: number): [number, number, number] {
  return classColor(index).rgb;
}

/** A value in [0, 1] from dark blue through teal to yellow (a viridis-like ramp). */
function rampColor(value: number): [number, number, number] {
  const stops: Array<[number, number, number]> = [[68, 1, 84], [33, 145, 140], [253, 231, 37]];
  const t = Math.max(0, Math.min(1, value)) * 2;
  const i = Math.min(1, Math.floor(t));
  const f = t - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** RGBA bytes per point, for the GPU: unlabelled or unpredicted points are faint grey. */
export function pointColors(colors: MapColors): Uint8Array {
  const out = new Uint8Array(colors.values.length * 4);
  colors.values.forEach((value, i) => {
    const rgba = value < 0 ? NONE : [...(colors.kind === 'category' ? categoryColor(value) : rampColor(value)), 220];
    out.set(rgba.map(Math.round), i * 4);
  });
  return out;
}
