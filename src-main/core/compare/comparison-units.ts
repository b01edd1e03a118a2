import path from 'node:path';
import type { ComparisonUnits, PatchUnitRule } from '../../../src-shared/contract';
import type { ProjectStore } from '../project/project-store';
import { patchImagePlace } from '../labels/patch-folder-layout';
import { ComparisonUnitsRepo, type LabelledSource } from '../project/repos/comparison-units-repo';
import type { StoredTask } from '../project/repos/tasks-repo';

/** Under this many slides, whole-slide resampling says little: their tiles are resampled, and the result says so. */
export const MIN_SLIDE_UNITS = 8;
/** A case grouping found in names must give at least this many cases… */
const MIN_CASES = 8;
/** …and no case may hold more than this share of the images (a prefix shared by everything is no case id). */
const MAX_CASE_SHARE = 0.25;

/**
 * Where a labelled tile sits: its stratum (the slides, or one patch set), the group that folds keep
 * on one side of a split (its slide, case or image), and the unit the bootstrap resamples (the
 * group, or the tile itself for slides when there are too few slides).
 */
export interface TileUnit {
  stratum: string;
  group: string;
  unit: string;
}

export interface ComparisonUnitPlan {
  summary: ComparisonUnits;
  /** The included tiles only: an excluded patch set's tiles are absent. */
  unitOfTile: Map<number, TileUnit>;
}

const caseKeyOf: Record<Exclude<PatchUnitRule, 'image'>, (root: string, file: string) => string | null> = {
  // DIR/<class>/<case>/<image>: the case folder, one case under every class. An image directly in
  // its class folder (a mixed layout) is a case of its own, keyed by its path, which no folder name
  // can equal; a folder without any case folder thus has all-distinct keys and is no case grouping.
  'case-folder': (root, file) => {
    const place = patchImagePlace(root, file);
    if (typeof place === 'string') return null;
    return place.caseName ?? path.relative(root, file);
  },
  // TCGA-XX-YYYY is the patient in a TCGA barcode, whatever follows it.
  'tcga-patient': (_root, file) => /TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}/i.exec(path.basename(file))?.[0].toUpperCase() ?? null,
  // "patient12_x1024_y2048.png": the part before the first underscore.
  'name-prefix': (_root, file) => {
    const stem = path.basename(file).replace(/\.[^.]*$/, '');
    const cut = stem.indexOf('_');
    return cut > 0 ? stem.slice(0, cut) : null;
  },
};

/**
 * The first rule whose case ids look like real cases: every image has one, some repeat, there are
 * enough of them, none swallows the set, and they are not the class names in disguise (as many
 * ids as classes, e.g. "TUM_001.png").
 */
function detectCases(root: string, images: readonly LabelledSource[]): { rule: PatchUnitRule; keyOf: (image: LabelledSource) => string } {
  const classes = new Set(images.map((i) => i.className)).size;
  for (const rule of ['case-folder', 'tcga-patient', 'name-prefix'] as const) {
    const keys = images.map((i) => caseKeyOf[rule](root, i.path));
    if (keys.some((k) => k === null)) continue;
    const sizes = new Map<string, number>();
    for (const k of keys as string[]) sizes.set(k, (sizes.get(k) ?? 0) + 1);
    const largest = Math.max(...sizes.values());
    if (sizes.size < Math.max(MIN_CASES, 2 * classes) || sizes.size === images.length || largest > MAX_CASE_SHARE * images.length) continue;
    const byTile = new Map(images.map((image, i) => [image.tileId, keys[i]!]));
    return { rule, keyOf: (image) => byTile.get(image.tileId)! };
  }
  return { rule: 'image', keyOf: (image) => `image:${image.slideId}` };
}

/**
 * Groups a task's labelled tiles into the units a comparison resamples and keeps on one side of a
 * split: each slide whole (its tiles when there are under MIN_SLIDE_UNITS slides), and per patch set
 * its cases when names or folders carry them, else its images, which are then taken as independent.
 */
export function planComparisonUnits(sources: readonly LabelledSource[], excludePatchSets: ReadonlySet<number>): ComparisonUnitPlan {
  const unitOfTile = new Map<number, TileUnit>();
  const slideTiles = sources.filter((s) => s.patchSetId === null);
  const slideCount = new Set(slideTiles.map((s) => s.slideId)).size;
  const slideUnit = slideCount >= MIN_SLIDE_UNITS ? 'slide' : 'tile';
  for (const s of slideTiles) unitOfTile.set(s.tileId, { stratum: 'slides', group: `slide:${s.slideId}`, unit: slideUnit === 'slide' ? `slide:${s.slideId}` : `tile:${s.tileId}` });

  const bySet = new Map<number, LabelledSource[]>();
  for (const s of sources) {
    if (s.patchSetId === null) continue;
    if (!bySet.has(s.patchSetId)) bySet.set(s.patchSetId, []);
    bySet.get(s.patchSetId)!.push(s);
  }
  const patchSets: ComparisonUnits['patchSets'] = [];
  for (const [id, images] of [...bySet].sort((a, b) => a[0] - b[0])) {
    const { rule, keyOf } = detectCases(images[0]!.patchSetRoot!, images);
    const units = new Set(images.map(keyOf));
    const included = !excludePatchSets.has(id);
    if (included) {
      for (const image of images) {
        const key = `patch-set:${id}:${keyOf(image)}`;
        unitOfTile.set(image.tileId, { stratum: `patch-set:${id}`, group: key, unit: key });
      }
    }
    patchSets.push({ id, name: images[0]!.patchSetName!, images: images.length, units: units.size, rule, included });
  }
  return { summary: { slides: { count: slideCount, tiles: slideTiles.length }, slideUnit, patchSets }, unitOfTile };
}

/** The units a comparison of a task resamples and keeps apart, with the patch sets the request leaves out. */
export function comparisonUnitPlan(store: ProjectStore, task: StoredTask, excludePatchSets: readonly number[] = []): ComparisonUnitPlan {
  return planComparisonUnits(new ComparisonUnitsRepo(store.db).labelledSources(task.id), new Set(excludePatchSets));
}

/** Fold groups of dataset rows, and the rows grouped into bootstrap units, the units into strata (slides, each patch set). */
export function unitStrata(tileIds: Int32Array, unitOfTile: ReadonlyMap<number, TileUnit>): { groups: Int32Array; strata: number[][][] } {
  const groupIds = new Map<string, number>();
  const strata = new Map<string, Map<string, number[]>>();
  const groups = new Int32Array(tileIds.length);
  tileIds.forEach((tileId, row) => {
    const { stratum, group, unit } = unitOfTile.get(tileId)!;
    if (!groupIds.has(group)) groupIds.set(group, groupIds.size);
    groups[row] = groupIds.get(group)!;
    if (!strata.has(stratum)) strata.set(stratum, new Map());
    const units = strata.get(stratum)!;
    if (!units.has(unit)) units.set(unit, []);
    units.get(unit)!.push(row);
  });
  return { groups, strata: [...strata.values()].map((units) => [...units.values()]) };
}
