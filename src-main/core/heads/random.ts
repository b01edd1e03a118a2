/**
 * Seeded randomness for the heads: every draw (splits, initial weights, minibatch order, dropout,
 * augmentation) comes from one of these, so a seed fixes the trained bytes and the metrics.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** Gamma(shape, 1), for Beta draws (mixup). */
  gamma(shape: number): number;
  /** A fresh generator whose stream depends on this one's seed and `salt`, not on how much of this one was used. */
  fork(salt: number): Rng;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** sfc32 seeded through splitmix32: small, fast and good enough for sampling (not cryptography). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) seed = 0;
  const baseSeed = Math.floor(seed) >>> 0;
  const mix = splitmix32(baseSeed ^ 0x5bd1e995);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix() | 1;
  let spareNormal: number | null = null;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const next = (): number => {
    // 53 random bits.
    const hi = nextU32() >>> 5;
    const lo = nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const normal = (): number => {
    if (spareNormal !== null) {
      const v = spareNormal;
      spareNormal = null;
      return v;
    }
    let u = 0;
    while (u <= 1e-300) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const gamma = (shape: number): number => {
    // Marsaglia-Tsang; shapes below 1 are boosted by U^(1/shape).
    if (shape < 1) {
      const u = Math.max(next(), 1e-300);
      return gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const dd = shape - 1 / 3;
    const cc = 1 / Math.sqrt(9 * dd);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + cc * x;
      } while (v <= 0);
      v = v * v * v;
      const u = next();
      if (u < 1 - 0.0331 * x * x * x * x) return dd * v;
      if (Math.log(Math.max(u, 1e-300)) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
    }
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    normal,
    gamma,
    fork: (salt: number) => createRng((Math.imul(baseSeed ^ 0x27d4eb2f, 0x165667b1) + Math.imul(salt | 0, 0x9e3779b1)) >>> 0),
  };
}

/** Fisher-Yates in place. */
export function shuffleInPlace(values: Int32Array, rng: Rng): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
  return values;
}

/** 0..n-1 in a seeded random order. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffleInPlace(p, rng);
}
