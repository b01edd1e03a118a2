import type { ComparisonUnits, PatchUnitRule } from '../contract/compare';

const count = (n: number, noun: string, plural = `${noun}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;

/** How a patch set's units were found, in words a reader can check against the file names. */
export const patchUnitRuleText: Record<PatchUnitRule, string> = {
  'case-folder': 'cases from the case folders',
  'tcga-patient': 'patients from the TCGA barcodes in the file names',
  'name-prefix': 'cases from the file-name part before the first "_"',
  image: 'no case id in the file names: each image counts as an independent patient',
};

/**
 * "Bootstrap over 2 slides and 24 patch images (1 patch set)": what a comparison resamples, slides
 * and patch sets apart, with the cases when a patch set's images were grouped into them. The CLI
 * prints it and the Compare form and results show it.
 */
export function comparisonUnitsText(units: ComparisonUnits): string {
  const parts: string[] = [];
  if (units.slides.count > 0) {
    parts.push(units.slideUnit === 'slide' ? count(units.slides.count, 'slide') : `${count(units.slides.tiles, 'tile')} of ${count(units.slides.count, 'slide')}`);
  }
  const included = units.patchSets.filter((p) => p.included);
  if (included.length > 0) {
    const images = included.reduce((sum, p) => sum + p.images, 0);
    const cased = included.filter((p) => p.rule !== 'image');
    const cases = cased.length ? ` in ${count(cased.reduce((sum, p) => sum + p.units, 0), 'case')}` : '';
    parts.push(`${count(images, 'patch image')}${cases} (${count(included.length, 'patch set')})`);
  }
  return parts.length ? `Bootstrap over ${parts.join(' and ')}` : 'Nothing to resample: every labelled tile is in an excluded patch set';
}

/** A caveat the reader needs beside the sentence, or null: too few slides to resample whole, or too few groups to fold. */
export function comparisonUnitsCaveat(units: ComparisonUnits): string | null {
  const groups = units.slides.count + units.patchSets.filter((p) => p.included).reduce((sum, p) => sum + p.units, 0);
  if (groups === 1) return 'Cross-validation needs two slides or more (or a patch set): one slide cannot be split into folds without tiles of it on both sides.';
  if (units.slides.count > 0 && units.slideUnit === 'tile') {
    return `Under 8 slides: their tiles are resampled one by one, so the interval is narrower than the evidence.`;
  }
  return null;
}
