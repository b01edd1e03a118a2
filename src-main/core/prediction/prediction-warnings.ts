import type { TilingChoice } from '../extraction/extraction-plan';
import type { LabelResolution } from '../project/repos/label-resolutions-repo';
import { formatMpp, sameScale, scaleGroups, tiles } from '../training/training-warnings';

/** A slide or patch image about to be predicted, as far as its scale goes. */
export interface PredictTarget {
  kind: 'slide' | 'image';
  /** The image's own µm per pixel; null when unknown. */
  mpp: number | null;
}

const most = <T extends { tiles: number }>(items: readonly T[]): T | undefined => items.reduce<T | undefined>((best, item) => (!best || item.tiles > best.tiles ? item : best), undefined);

/**
 * Warnings to show before a prediction runs, in words for the person who can act on them: a head
 * applied at another tile size or resolution than its labelled tiles were cut at sees tissue at a
 * scale it never learned, and its probabilities look as confident as ever.
 * `training` is what the head's task was labelled on; `choice` the tiling the prediction cuts.
 */
export function predictionWarnings(training: readonly LabelResolution[], choice: TilingChoice, targets: readonly PredictTarget[]): string[] {
  const warnings: string[] = [];
  const total = training.reduce((sum, g) => sum + g.tiles, 0);
  if (total === 0) return warnings;

  const sizes = new Map<number, number>();
  for (const g of training) sizes.set(g.tileSize, (sizes.get(g.tileSize) ?? 0) + g.tiles);
  const size = most([...sizes].map(([tileSize, n]) => ({ tileSize, tiles: n })))!;
  if (size.tileSize !== choice.tileSize) {
    warnings.push(`This head learned on ${size.tileSize} px tiles (${tiles(size.tiles)} of ${total.toLocaleString('en-US')}), but this prediction cuts ${choice.tileSize} px tiles: each tile shows a different field of view than in training.`);
  }

  const scale = most(scaleGroups(training));
  if (choice.mpp !== undefined) {
    if (!scale) warnings.push(`The images this head learned on have no resolution, so nobody knows whether ${formatMpp(choice.mpp)}, the scale this prediction cuts at, matches them. Set their µm per pixel in Slides to check.`);
    else if (!sameScale(scale.mpp, choice.mpp)) warnings.push(`This head learned on tiles at ${formatMpp(scale.mpp)} (${tiles(scale.tiles)}), but this prediction cuts tiles at ${formatMpp(choice.mpp)}: the tissue appears at another magnification than in training.`);
  }

  // Patch images are predicted whole, at their own resolution.
  const reference = scale?.mpp ?? choice.mpp;
  const images = targets.filter((t) => t.kind === 'image');
  const unknown = images.filter((t) => t.mpp === null).length;
  const other = reference === undefined ? 0 : images.filter((t) => t.mpp !== null && !sameScale(t.mpp, reference)).length;
  if (unknown) warnings.push(`${unknown.toLocaleString('en-US')} patch image${unknown === 1 ? ' has' : 's have'} no resolution: the head may see them at another scale than it learned. Set their µm per pixel in Slides.`);
  if (other && reference !== undefined) warnings.push(`${other.toLocaleString('en-US')} patch image${other === 1 ? ' is' : 's are'} at another resolution than the ${formatMpp(reference)} this head learned at.`);
  return warnings;
}
