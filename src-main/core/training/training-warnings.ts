import type { LabelResolution } from '../project/repos/label-resolutions-repo';

/** Resolutions closer than this (relative) count as the same scale: scanners report 0.2498 and 0.2527 for "40×". */
const SAME_SCALE = 0.1;

/** Whether two resolutions are the same scale, allowing for scanner rounding. */
export const sameScale = (a: number, b: number) => Math.abs(a - b) <= SAME_SCALE * Math.min(a, b);
export const formatMpp = (mpp: number) => `${Number(mpp.toPrecision(3))} µm/px`;
export const tiles = (n: number) => `${n.toLocaleString('en-US')} tile${n === 1 ? '' : 's'}`;

/**
 * Warnings to show before a training run starts, in words for the person who can fix them:
 * labelled patches without a resolution, and labelled tiles cut at different scales. A head that
 * mixes scales can learn the scale instead of the tissue, and then fails on new slides.
 */
export function trainingWarnings(groups: readonly LabelResolution[]): string[] {
  const warnings: string[] = [];
  const unknown = groups.filter((g) => g.mpp === null);
  if (unknown.length) {
    const count = unknown.reduce((sum, g) => sum + g.tiles, 0);
    const sets = [...new Set(unknown.map((g) => g.patchSet).filter((s): s is string => s !== null))];
    const where = sets.length ? ` (patch set${sets.length === 1 ? '' : 's'} ${sets.join(', ')})` : '';
    warnings.push(`${tiles(count)} of this task come from images without a resolution${where}: their scale is unknown. Set their µm per pixel in Slides before training, or check that they match the other tiles.`);
  }
  const scales = scaleGroups(groups);
  if (scales.length > 1) {
    const list = scales.map((s) => `${formatMpp(s.mpp)} (${tiles(s.tiles)})`).join(', ');
    warnings.push(`Labelled tiles of this task were cut at different resolutions: ${list}. A head trained on mixed scales may learn the scale rather than the tissue; label tiles at one resolution, or check the µm per pixel of your slides and patch sets.`);
  }
  return warnings;
}

/** Labelled tiles of known resolution gathered by scale (scanner rounding merged), in order of first appearance. */
export function scaleGroups(groups: readonly LabelResolution[]): Array<{ mpp: number; tiles: number }> {
  const scales: Array<{ mpp: number; tiles: number }> = [];
  for (const g of groups) {
    if (g.mpp === null) continue;
    const same = scales.find((s) => sameScale(s.mpp, g.mpp!));
    if (same) same.tiles += g.tiles;
    else scales.push({ mpp: g.mpp, tiles: g.tiles });
  }
  return scales;
}
