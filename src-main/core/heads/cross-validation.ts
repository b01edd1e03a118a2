import { HistoError } from '../errors';
import { createRng, permutation } from './random';

export interface GroupedFolds {
  /** Folds actually used (may be fewer than asked, see message). */
  folds: number;
  /** Fold index per row. */
  fold: Int32Array;
  /** Set when the request could not be met as asked (fewer folds, unstratifiable classes). */
  messages: string[];
}

/**
 * Assigns whole groups to folds: tiles of one slide never sit on both sides of a split. Groups are
 * shuffled (seeded), then taken roughly largest first and each put in the fold where it brings the class
 * counts closest to an even share (squared deviation), so folds are stratified as far as the groups
 * allow. With fewer groups than folds, the number of folds drops to the number of groups.
 */
export function groupedStratifiedFolds(y: Int32Array, groups: Int32Array, k: number, folds: number, seed: number): GroupedFolds {
  const n = y.length;
  if (groups.length !== n) throw new HistoError('VALIDATION', `cross-validation: ${groups.length} group ids for ${n} rows`);
  if (!Number.isInteger(folds) || folds < 2) throw new HistoError('VALIDATION', `cross-validation: folds must be an integer >= 2, got ${folds}`);
  const messages: string[] = [];
  const groupIndex = new Map<number, number>();
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = groups[i]!;
    let idx = groupIndex.get(g);
    if (idx === undefined) {
      idx = groupIndex.size;
      groupIndex.set(g, idx);
    }
    groupOf[i] = idx;
  }
  const groupCount = groupIndex.size;
  if (groupCount < 2) throw new HistoError('VALIDATION', `cross-validation needs at least 2 groups (slides), got ${groupCount}`);
  let used = folds;
  if (groupCount < folds) {
    used = groupCount;
    messages.push(`only ${groupCount} groups (slides) for ${folds} folds: using ${used} folds, one group each`);
  }
  const counts = new Float64Array(groupCount * k);
  const sizes = new Float64Array(groupCount);
  const totals = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    counts[groupOf[i]! * k + y[i]!]!++;
    sizes[groupOf[i]!]!++;
    totals[y[i]!]!++;
  }
  const groupsWithClass = new Int32Array(k);
  for (let g = 0; g < groupCount; g++) for (let c = 0; c < k; c++) if (counts[g * k + c]! > 0) groupsWithClass[c]!++;
  for (let c = 0; c < k; c++) {
    if (totals[c]! > 0 && groupsWithClass[c]! < used) {
      messages.push(`class ${c} occurs in ${groupsWithClass[c]} of ${groupCount} groups: ${used - groupsWithClass[c]!} folds test no row of it`);
    }
  }

  // Largest groups first (they are the hardest to balance), but within half-octave size bands the
  // order is the seeded shuffle, so different seeds give different, equally balanced folds.
  const band = (g: number): number => Math.floor(2 * Math.log2(sizes[g]!));
  const order = Array.from(permutation(groupCount, createRng(seed)));
  order.sort((a, b) => band(b) - band(a)); // stable: ties keep the seeded order
  const foldCounts = new Float64Array(used * k);
  const foldSizes = new Float64Array(used);
  const foldOfGroup = new Int32Array(groupCount);
  const target = new Float64Array(k);
  for (let c = 0; c < k; c++) target[c] = totals[c]! / used;
  let emptyFolds = used;
  for (let idx = 0; idx < order.length; idx++) {
    const g = order[idx]!;
    const remaining = order.length - idx;
    let best = -1;
    let bestCost = Infinity;
    for (let f = 0; f < used; f++) {
      // Every fold must end up with a group: when only as many groups remain as empty folds, fill those.
      if (remaining <= emptyFolds && foldSizes[f]! > 0) continue;
      let cost = 0;
      for (let c = 0; c < k; c++) {
        const before = foldCounts[f * k + c]! - target[c]!;
        const after = before + counts[g * k + c]!;
        cost += after * after - before * before;
      }
      if (cost < bestCost - 1e-9 || (Math.abs(cost - bestCost) <= 1e-9 && foldSizes[f]! < foldSizes[best]!)) {
        bestCost = cost;
        best = f;
      }
    }
    if (foldSizes[best]! === 0) emptyFolds--;
    foldOfGroup[g] = best;
    foldSizes[best]! += sizes[g]!;
    for (let c = 0; c < k; c++) foldCounts[best * k + c]! += counts[g * k + c]!;
  }
  const fold = new Int32Array(n);
  for (let i = 0; i < n; i++) fold[i] = foldOfGroup[groupOf[i]!]!;
  return { folds: used, fold, messages };
}

/** Row indices of one fold (test) and of the others (train). */
export function foldRows(fold: Int32Array, f: number): { train: Int32Array; test: Int32Array } {
  let testCount = 0;
  for (let i = 0; i < fold.length; i++) if (fold[i] === f) testCount++;
  const test = new Int32Array(testCount);
  const train = new Int32Array(fold.length - testCount);
  let a = 0;
  let b = 0;
  for (let i = 0; i < fold.length; i++) {
    if (fold[i] === f) test[a++] = i;
    else train[b++] = i;
  }
  return { train, test };
}

/**
 * One grouped, stratified train/test split with about `testFraction` of the rows in test (used by
 * the learning curve): the greedy fold assignment with round(1 / testFraction) folds, fold 0 as test.
 * Falls back to a stratified row split (with a message) when there is only one group.
 */
export function groupedHoldout(y: Int32Array, groups: Int32Array, k: number, testFraction: number, seed: number): { train: Int32Array; test: Int32Array; messages: string[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new HistoError('VALIDATION', `holdout: testFraction must be in (0, 1), got ${testFraction}`);
  const distinct = new Set(groups).size;
  if (distinct >= 2) {
    const split = groupedStratifiedFolds(y, groups, k, Math.max(2, Math.round(1 / testFraction)), seed);
    return { ...foldRows(split.fold, 0), messages: split.messages };
  }
  const rng = createRng(seed);
  const trainList: number[] = [];
  const testList: number[] = [];
  for (let c = 0; c < k; c++) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === c) rows.push(i);
    const p = permutation(rows.length, rng);
    const testCount = Math.round(rows.length * testFraction);
    for (let i = 0; i < rows.length; i++) (i < testCount ? testList : trainList).push(rows[p[i]!]!);
  }
  return {
    train: Int32Array.from(trainList.sort((a, b) => a - b)),
    test: Int32Array.from(testList.sort((a, b) => a - b)),
    messages: ['only one group (slide): train and test rows are split within it, so the estimate is optimistic'],
  };
}
