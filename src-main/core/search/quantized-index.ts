/** Rows per block: 32k x 1280-d int8 is 40 MiB, small enough to allocate and score one at a time. */
export const BLOCK_ROWS = 32_768;

/** Added to row codes so they fit uint8: ONNX Runtime's u8 x s8 integer product is its fast path. */
export const ROW_CODE_BIAS = 128;

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
 * Quantises a unit vector to int8 with its own scale (largest magnitude -> 127), writing the codes
 * into `codes` at `offset`. Returns the scale and the residual length, which bound the error of a
 * dot product computed from codes.
 */
export function quantizeInto(unit: Float32Array, codes: Int8Array | Uint8Array, offset: number, bias = 0): { scale: number; residual: number } {
  let maxAbs = 0;
  for (let i = 0; i < unit.length; i++) maxAbs = Math.max(maxAbs, Math.abs(unit[i]!));
  if (maxAbs === 0) {
    codes.fill(bias, offset, offset + unit.length);
    return { scale: 0, residual: 0 };
  }
  const scale = maxAbs / 127;
  let residual = 0;
  for (let i = 0; i < unit.length; i++) {
    const code = Math.round(unit[i]! / scale);
    codes[offset + i] = code + bias;
    const lost = unit[i]! - code * scale;
    residual += lost * lost;
  }
  return { scale, residual: Math.sqrt(residual) };
}

export function quantizeVector(unit: Float32Array): QuantizedVector {
  const codes = new Int8Array(unit.length);
  return { codes, ...quantizeInto(unit, codes, 0) };
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
  private readonly scratch: Float32Array;

  constructor(readonly dim: number) {
    this.scratch = new Float32Array(dim);
  }

  get count(): number {
    return this.rows;
  }

  get tileIds(): Int32Array {
    return this.ids.subarray(0, this.rows);
  }

  /** Appends one stored vector; tile ids must ascend so rows can be found by binary search. */
  add(tileId: number, vector: Float32Array): void {
    if (this.rows > 0 && tileId <= this.ids[this.rows - 1]!) throw new Error(`tile ${tileId} added out of order`);
    let block = this.blocks[this.blocks.length - 1];
    if (!block || block.count === BLOCK_ROWS) {
      block = { count: 0, codes: new Uint8Array(BLOCK_ROWS * this.dim), scales: new Float32Array(BLOCK_ROWS) };
      this.blocks.push(block);
    }
    this.scratch.set(vector.subarray(0, this.dim));
    normalizeInPlace(this.scratch);
    const { scale, residual } = quantizeInto(this.scratch, block.codes, block.count * this.dim, ROW_CODE_BIAS);
    block.scales[block.count] = scale;
    block.count++;
    this.maxResidual = Math.max(this.maxResidual, residual);
    if (this.rows === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.rows++] = tileId;
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
