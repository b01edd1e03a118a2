import { seededRandom } from '../backbones/seeded-random';

/**
 * Picks `size` of `groups.length` rows so each group (slide) keeps its share, at least one row
 * per group where possible: a small slide is not lost from the map's fit. Returns sorted row
 * indexes; deterministic for a seed.
 */
export function stratifiedSample(groups: Int32Array, size: number, seed = 1): Int32Array {
  const n = groups.length;
  if (size >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g) ?? [];
    list.push(i);
    members.set(g, list);
  });
  const random = seededRandom(seed);
  const keys = [...members.keys()].sort((a, b) => a - b);
  // Largest-remainder allocation of `size` over the groups, then at least one each.
  const quotas = keys.map((g) => (members.get(g)!.length * size) / n);
  const take = quotas.map((q) => Math.max(1, Math.floor(q)));
  let left = size - take.reduce((a, b) => a + b, 0);
  const order = keys.map((_, i) => i).sort((a, b) => quotas[b]! - Math.floor(quotas[b]!) - (quotas[a]! - Math.floor(quotas[a]!)));
  for (const i of order) {
    if (left <= 0) break;
    if (take[i]! < members.get(keys[i]!)!.length) {
      take[i]!++;
      left--;
    }
  }
  const picked: number[] = [];
  keys.forEach((g, i) => {
    const list = members.get(g)!;
    const want = Math.min(take[i]!, list.length);
    // Partial Fisher-Yates: the first `want` of a shuffled copy.
    const copy = [...list];
    for (let j = 0; j < want; j++) {
      const r = j + Math.floor(random() * (copy.length - j));
      [copy[j], copy[r]] = [copy[r]!, copy[j]!];
      picked.push(copy[j]!);
    }
  });
  return Int32Array.from(picked).sort();
}
