import { symmetricEigenvalues } from './symmetric-eigenvalues';

/** Cosine similarity of two rows of (possibly different) row-major matrices. */
export function cosineAt(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < dim; d++) {
    const x = a[i * dim + d]!;
    const y = b[j * dim + d]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * RankMe (Garrido et al. 2023): exp of the entropy of the normalised singular values of the
 * embedding matrix, an effective rank from 1 (collapsed) to min(n, dim). Computed on at most
 * `maxRows` rows through the Gram matrix, whose eigenvalues are the squared singular values.
 */
export function rankMe(x: Float32Array, n: number, dim: number, maxRows = 384): number {
  const rows = Math.min(n, maxRows);
  const step = n / rows;
  const pick = Array.from({ length: rows }, (_, i) => Math.floor(i * step));
  const gram = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let dot = 0;
      const a = pick[i]! * dim;
      const b = pick[j]! * dim;
      for (let d = 0; d < dim; d++) dot += x[a + d]! * x[b + d]!;
      gram[i * rows + j] = dot;
      gram[j * rows + i] = dot;
    }
  }
  const singular = Array.from(symmetricEigenvalues(gram, rows), (e) => Math.sqrt(Math.max(0, e)));
  const total = singular.reduce((a, b) => a + b, 0);
  if (total <= 0) return 1;
  let entropy = 0;
  for (const s of singular) {
    const p = s / total + 1e-12;
    entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

/**
 * How much a backbone's embedding stays put under rotations and flips, relative to how much
 * different tiles differ: 1 = views identical, 0 = views as unlike as two different tiles.
 * `views` holds, per tile, `perTile` vectors with the original first.
 */
export function augmentationInvariance(views: Float32Array, tiles: number, perTile: number, dim: number): number {
  let same = 0;
  let sameCount = 0;
  for (let t = 0; t < tiles; t++) {
    for (let v = 1; v < perTile; v++) {
      same += cosineAt(views, t * perTile, views, t * perTile + v, dim);
      sameCount++;
    }
  }
  let different = 0;
  let differentCount = 0;
  for (let a = 0; a < tiles; a++) {
    for (let b = a + 1; b < tiles; b++) {
      different += cosineAt(views, a * perTile, views, b * perTile, dim);
      differentCount++;
    }
  }
  const meanSame = sameCount ? same / sameCount : 1;
  const meanDifferent = differentCount ? different / differentCount : 0;
  return meanDifferent >= 1 ? 0 : (meanSame - meanDifferent) / (1 - meanDifferent);
}

/** Mean cosine of neighbouring tiles minus that of random pairs: spatially coherent features score higher. */
export function neighbourhoodConsistency(x: Float32Array, dim: number, neighbours: Array<[number, number]>, random: Array<[number, number]>): number | null {
  if (neighbours.length < 10 || random.length < 10) return null;
  const mean = (pairs: Array<[number, number]>) => pairs.reduce((s, [a, b]) => s + cosineAt(x, a, x, b, dim), 0) / pairs.length;
  return mean(neighbours) - mean(random);
}

/** Spearman's rank correlation (average ranks for ties). */
export function spearman(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length || a.length < 2) return null;
  const ranks = (v: readonly number[]) => {
    const order = v.map((value, i) => ({ value, i })).sort((p, q) => p.value - q.value);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1]!.value === order[i]!.value) j++;
      for (let k = i; k <= j; k++) r[order[k]!.i] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (r: number[]) => r.reduce((s, x) => s + x, 0) / r.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - ma) * (rb[i]! - mb);
    da += (ra[i]! - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : null;
}
