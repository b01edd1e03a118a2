import { describe, expect, it } from 'vitest';
import { planComparisonUnits, unitStrata } from '../../../src-main/core/compare/comparison-units';
import { bootstrapF1MacroCi } from '../../../src-main/core/compare/bootstrap-ci';
import type { LabelledSource } from '../../../src-main/core/project/repos/comparison-units-repo';
import { comparisonUnitsCaveat, comparisonUnitsText } from '../../../src-shared/domain/comparison-units-text';

let nextTile = 1;
let nextSlide = 1;

/** `tiles` labelled tiles of one new slide. */
function slideTiles(tiles: number, className = 'a'): LabelledSource[] {
  const slideId = nextSlide++;
  return Array.from({ length: tiles }, () => ({ tileId: nextTile++, className, slideId, path: `/data/slide-${slideId}.svs`, patchSetId: null, patchSetName: null, patchSetRoot: null }));
}

/** A patch set's images, one tile each, at `/sets/<name>/<relative path>`. */
function patchSet(id: number, name: string, files: Array<[className: string, relative: string]>): LabelledSource[] {
  return files.map(([className, relative]) => ({
    tileId: nextTile++,
    className,
    slideId: nextSlide++,
    path: `/sets/${name}/${relative}`,
    patchSetId: id,
    patchSetName: name,
    patchSetRoot: `/sets/${name}`,
  }));
}

/** `perCase` images of each of `cases` cases in both classes, named by `nameOf`. */
function casedFiles(cases: number, perCase: number, nameOf: (caseIndex: number, image: number) => string): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  for (let c = 0; c < cases; c++) for (let i = 0; i < perCase; i++) files.push([i % 2 ? 'b' : 'a', `${i % 2 ? 'b' : 'a'}/${nameOf(c, i)}`]);
  return files;
}

describe('comparison units', () => {
  it('counts slides and each patch set apart, and groups patch images into the cases their names carry', () => {
    const slides = [...slideTiles(30), ...slideTiles(20, 'b')];
    const cased = patchSet(1, 'kather', casedFiles(10, 6, (c, i) => `patient${c}_x${i * 224}.png`));
    const loose = patchSet(2, 'loose', casedFiles(1, 24, (_c, i) => `${i}.png`));
    const plan = planComparisonUnits([...slides, ...cased, ...loose], new Set());

    expect(plan.summary.slides).toEqual({ count: 2, tiles: 50 });
    // Two slides are too few to resample whole: their tiles are, and the summary says so.
    expect(plan.summary.slideUnit).toBe('tile');
    expect(plan.summary.patchSets).toEqual([
      { id: 1, name: 'kather', images: 60, units: 10, rule: 'name-prefix', included: true },
      { id: 2, name: 'loose', images: 24, units: 24, rule: 'image', included: true },
    ]);
    expect(comparisonUnitsText(plan.summary)).toBe('Bootstrap over 50 tiles of 2 slides and 84 patch images in 10 cases (2 patch sets)');
    expect(comparisonUnitsCaveat(plan.summary)).toMatch(/Under 8 slides/);

    // Folds keep a slide together even when the bootstrap resamples its tiles; a case is one group and one unit.
    const tileIds = Int32Array.from([...slides, ...cased, ...loose], (s) => s.tileId);
    const { groups, strata } = unitStrata(tileIds, plan.unitOfTile);
    expect(new Set(groups.subarray(0, 50)).size).toBe(2);
    expect(new Set(groups.subarray(50, 110)).size).toBe(10);
    expect(new Set(groups.subarray(110)).size).toBe(24);
    expect(strata.map((units) => units.length)).toEqual([50, 10, 24]);
    expect(strata[1]!.every((rows) => rows.length === 6)).toBe(true);
  });

  it('resamples whole slides from 8 on, and leaves excluded patch sets out while still listing them', () => {
    const slides = Array.from({ length: 8 }, (_, i) => slideTiles(5, i % 2 ? 'a' : 'b')).flat();
    const set = patchSet(7, 'nct', casedFiles(1, 16, (_c, i) => `${i}.png`));
    const plan = planComparisonUnits([...slides, ...set], new Set([7]));
    expect(plan.summary.slideUnit).toBe('slide');
    expect(plan.summary.patchSets).toEqual([{ id: 7, name: 'nct', images: 16, units: 16, rule: 'image', included: false }]);
    expect(plan.unitOfTile.size).toBe(40);
    expect(set.some((image) => plan.unitOfTile.has(image.tileId))).toBe(false);
    expect(comparisonUnitsText(plan.summary)).toBe('Bootstrap over 8 slides');
    expect(comparisonUnitsCaveat(plan.summary)).toBeNull();
    expect(comparisonUnitsText(planComparisonUnits(set, new Set([7])).summary)).toMatch(/^Nothing to resample/);
    // One slide alone cannot be folded: said before the run fails.
    expect(comparisonUnitsCaveat(planComparisonUnits(slideTiles(12), new Set()).summary)).toMatch(/^Cross-validation needs two slides or more/);
  });

  it('finds TCGA patients and case folders, and refuses prefixes that are class names or swallow the set', () => {
    const tcga = patchSet(1, 'tcga', casedFiles(9, 4, (c, i) => `TCGA-A2-A0${10 + c}-01Z-00-DX1_${i}.png`));
    const folders = patchSet(2, 'folders', casedFiles(12, 2, (c, i) => `case-${c}/${i}.png`));
    // "TUM_001.png": one prefix per class is the class, not a case.
    const classPrefix = patchSet(3, 'class-prefix', casedFiles(1, 40, (_c, i) => `${i % 2 ? 'STR' : 'TUM'}_${i}.png`));
    // Half the images share one prefix: no case id.
    const swallowed = patchSet(4, 'swallowed', casedFiles(1, 40, (_c, i) => (i < 20 ? `scan_${i}.png` : `p${i}_${i}.png`)));
    const rules = Object.fromEntries(planComparisonUnits([...tcga, ...folders, ...classPrefix, ...swallowed], new Set()).summary.patchSets.map((p) => [p.name, [p.rule, p.units]]));
    expect(rules).toEqual({ tcga: ['tcga-patient', 9], folders: ['case-folder', 12], 'class-prefix': ['image', 40], swallowed: ['image', 40] });
  });

  it('takes case folders and loose images of one class folder together: each loose image is a case of its own', () => {
    const mixed = patchSet(1, 'mixed', [...casedFiles(10, 4, (c, i) => `case-${c}/${i}.png`), ['a', 'a/loose-0.png'], ['b', 'b/loose-1.png'], ['a', 'a/loose-2.png']]);
    const plan = planComparisonUnits(mixed, new Set());
    expect(plan.summary.patchSets).toEqual([{ id: 1, name: 'mixed', images: 43, units: 13, rule: 'case-folder', included: true }]);
    // A case folder under both classes is one case: its 4 images (2 per class) form one unit.
    const unitOf = (relative: string) => plan.unitOfTile.get(mixed.find((image) => image.path === `/sets/mixed/${relative}`)!.tileId)!.unit;
    expect(unitOf('a/case-3/0.png')).toBe(unitOf('b/case-3/1.png'));
    expect(unitOf('a/loose-0.png')).not.toBe(unitOf('a/loose-2.png'));
  });

  it('gives a wider interval when correlated images are resampled as their cases than one by one', () => {
    // 12 cases of 10 images each; every case is predicted all right or all wrong, so the images of a case are not independent.
    const cases = 12;
    const perCase = 10;
    const n = cases * perCase;
    const yTrue = new Int32Array(n);
    const proba = new Float32Array(n * 2);
    for (let r = 0; r < n; r++) {
      const c = Math.floor(r / perCase);
      yTrue[r] = r % 2;
      const right = c % 3 !== 0;
      const predicted = right ? yTrue[r]! : 1 - yTrue[r]!;
      proba[r * 2 + predicted] = 0.9;
      proba[r * 2 + 1 - predicted] = 0.1;
    }
    const byCase = [Array.from({ length: cases }, (_, c) => Array.from({ length: perCase }, (_, i) => c * perCase + i))];
    const byImage = [Array.from({ length: n }, (_, r) => [r])];
    const [caseLow, caseHigh] = bootstrapF1MacroCi(yTrue, proba, 2, byCase, 400, 3);
    const [imageLow, imageHigh] = bootstrapF1MacroCi(yTrue, proba, 2, byImage, 400, 3);
    expect(caseLow).toBeLessThanOrEqual(imageLow);
    expect(caseHigh - caseLow).toBeGreaterThan(1.5 * (imageHigh - imageLow));
  });

  it('keeps each stratum at its size in every replicate', () => {
    // Slides all right, patches all wrong: pooled resampling would swing between them; per-stratum resampling cannot.
    const yTrue = Int32Array.from({ length: 40 }, (_, r) => r % 2);
    const proba = new Float32Array(80);
    for (let r = 0; r < 40; r++) {
      const predicted = r < 20 ? yTrue[r]! : 1 - yTrue[r]!;
      proba[r * 2 + predicted] = 1;
    }
    const rowsOf = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => [from + i]);
    const [low, high] = bootstrapF1MacroCi(yTrue, proba, 2, [rowsOf(0, 20), rowsOf(20, 40)], 300, 1);
    const [pooledLow, pooledHigh] = bootstrapF1MacroCi(yTrue, proba, 2, [rowsOf(0, 40)], 300, 1);
    expect(high - low).toBeLessThan(pooledHigh - pooledLow);
  });
});
