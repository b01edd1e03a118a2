/** Rows per block: 32k x 1280-d int8 is 40 MiB, small enough to allocate and score one at a time. */
export const BLOCK_ROWS = 32_768;

/** Added to row codes so they fit uint8: ONNX Runtime's u8 x s8 integer product is its fast path. */
export const ROW_CODE_BIAS = 128;
/** The bias plus a half: adding it, then truncating, rounds half up as Math.round does. */
const ROUNDED_BIAS = ROW_CODE_BIAS + 0.5;

export interface QuantizedBlock {
  count: number;
  /** count x dim codes of the unit-length rows, stored as code + 128 (uint8: see Int8MatMul). */
  codes: Uint8Array;
  /** Per row: the float value of one code step (0 for an all-zero vector, which then never matches). */
  scales: Float32Array;
}

export interface QuantizedVector {
  codes: Int8Array;
  scale: number;
  /** Length of what rounding lost: |unit vector - scale * codes|. */
  residual: number;
}

/** Scales `vector` to unit length in place; returns its original length. */
export function normalizeInPlace(vector: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return norm;
}

/**
 * Quantises a unit query vector to int8 with its own scale (largest magnitude -> 127). The scale
 * and the residual length bound the error of a dot product computed from codes. Stored rows are
 * quantised a block at a time by `QuantizedIndex.addBlock`.
 */
export function quantizeVector(unit: Float32Array): QuantizedVector {
  const codes = new Int8Array(unit.length);
  let maxAbs = 0;
  for (let i = 0; i < unit.length; i++) maxAbs = Math.max(maxAbs, Math.abs(unit[i]!));
  if (maxAbs === 0) return { codes, scale: 0, residual: 0 };
  const scale = maxAbs / 127;
  let residual = 0;
  for (let i = 0; i < unit.length; i++) {
    const code = Math.round(unit[i]! / scale);
    codes[i] = code;
    const lost = unit[i]! - code * scale;
    residual += lost * lost;
  }
  return { codes, scale, residual: Math.sqrt(residual) };
}

/**
 * The search form of a backbone's stored vectors: unit-length rows quantised to int8 in blocks, in
 * ascending tile id. Dot products of codes approximate cosine similarity to within a bound known
 * from the residuals, so candidates can be rescored exactly and the result proven exact.
 */
export class QuantizedIndex {
  readonly blocks: QuantizedBlock[] = [];
  private ids = new Int32Array(1024);
  private rows = 0;
  /** Largest residual of any row: with the query's residual, bounds every approximation error. */
  maxResidual = 0;

  constructor(readonly dim: number) {}

  get count(): number {
    return this.rows;
  }

  get tileIds(): Int32Array {
    return this.ids.subarray(0, this.rows);
  }

  /** Appends one stored vector; tile ids must ascend so rows can be found by binary search. */
  add(tileId: number, vector: Float32Array): void {
    this.addBlock([tileId], vector, 1);
  }

  /**
   * Appends `count` stored vectors (`vectors` holds them row after row, `dim` floats each) with
   * their ascending tile ids. One pass per row finds its length and largest magnitude, a second
   * writes its codes and sums what rounding lost: no copy, no object per row, so a first load runs
   * at the store's read rate rather than at the quantiser's.
   */
  addBlock(tileIds: ArrayLike<number>, vectors: Float32Array, count: number): void {
    if (count === 0) return;
    const dim = this.dim;
    let previous = this.rows > 0 ? this.ids[this.rows - 1]! : -Infinity;
    for (let r = 0; r < count; r++) {
      const id = tileIds[r]!;
      if (id <= previous) throw new Error(`tile ${id} added out of order`);
      previous = id;
    }
    this.reserveIds(this.rows + count);
    let maxResidual = this.maxResidual;
    let block = this.blocks[this.blocks.length - 1];
    for (let r = 0; r < count; r++) {
      if (!block || block.count === BLOCK_ROWS) {
        block = { count: 0, codes: new Uint8Array(BLOCK_ROWS * dim), scales: new Float32Array(BLOCK_ROWS) };
        this.blocks.push(block);
      }
      const codes = block.codes;
      const from = r * dim;
      let sumSquares = 0;
      let maxAbs = 0;
      for (let i = 0; i < dim; i++) {
        const x = vectors[from + i]!;
        sumSquares += x * x;
        const magnitude = x < 0 ? -x : x;
        if (magnitude > maxAbs) maxAbs = magnitude;
      }
      const to = block.count * dim;
      if (maxAbs === 0 || !Number.isFinite(sumSquares)) {
        codes.fill(ROW_CODE_BIAS, to, to + dim);
        block.scales[block.count] = 0;
      } else {
        // In the vector's own units: one code step is maxAbs / 127; on the unit vector that is step / norm.
        const norm = Math.sqrt(sumSquares);
        const step = maxAbs / 127;
        const perStep = 127 / maxAbs;
        let lostSquares = 0;
        for (let i = 0; i < dim; i++) {
          const x = vectors[from + i]!;
          // x * perStep lies in [-127, 127], so the biased value is positive and truncation is
          // floor: Math.round's result, plus the bias, without a call per element.
          const biased = (x * perStep + ROUNDED_BIAS) | 0;
          codes[to + i] = biased;
          const lost = x - (biased - ROW_CODE_BIAS) * step;
          lostSquares += lost * lost;
        }
        block.scales[block.count] = step / norm;
        const residual = Math.sqrt(lostSquares) / norm;
        if (residual > maxResidual) maxResidual = residual;
      }
      block.count++;
    }
    this.maxResidual = maxResidual;
    for (let r = 0; r < count; r++) this.ids[this.rows + r] = tileIds[r]!;
    this.rows += count;
  }

  /** Grows the id array geometrically to hold `rows` ids. */
  private reserveIds(rows: number): void {
    if (rows <= this.ids.length) return;
    let length = this.ids.length;
    while (length < rows) length *= 2;
    const grown = new Int32Array(length);
    grown.set(this.ids.subarray(0, this.rows));
    this.ids = grown;
  }

  /** The row of a tile, or -1. */
  rowOf(tileId: number): number {
    let lo = 0;
    let hi = this.rows - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.ids[mid]!;
      if (id === tileId) return mid;
      if (id < tileId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Bytes held, for the cache's accounting. */
  get bytes(): number {
    return this.blocks.length * BLOCK_ROWS * (this.dim + 4) + this.ids.byteLength;
  }
}
