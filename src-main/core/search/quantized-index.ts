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
    const block = this.openBlock();
    this.scratch.set(vector.subarray(0, this.dim));
    normalizeInPlace(this.scratch);
    const { scale, residual } = quantizeInto(this.scratch, block.codes, block.count * this.dim, ROW_CODE_BIAS);
    block.scales[block.count] = scale;
    block.count++;
    this.maxResidual = Math.max(this.maxResidual, residual);
    this.reserveIds(this.rows + 1);
    this.ids[this.rows++] = tileId;
  }

  /**
   * Appends `count` stored vectors (`count x stride` floats, the first `dim` of each used) in one
   * pass: the first load of a million rows spends its time here, so each row is normalised and
   * quantised in place with locals only (no scratch copy, no per-row objects). The codes, scale and
   * residual are those `add` gives, up to float rounding of the unit vector.
   */
  addBlock(tileIds: Int32Array | readonly number[], vectors: Float32Array, count: number, stride = this.dim): void {
    if (count <= 0) return;
    this.checkAscending(tileIds, count);
    this.reserveIds(this.rows + count);
    const dim = this.dim;
    let maxResidual = this.maxResidual;
    let row = 0;
    while (row < count) {
      const block = this.openBlock();
      const take = Math.min(count - row, BLOCK_ROWS - block.count);
      const codes = block.codes;
      for (let r = 0; r < take; r++) {
        const from = (row + r) * stride;
        const to = (block.count + r) * dim;
        let sum = 0;
        let maxAbs = 0;
        for (let j = 0; j < dim; j++) {
          const v = vectors[from + j]!;
          sum += v * v;
          const a = v < 0 ? -v : v;
          if (a > maxAbs) maxAbs = a;
        }
        if (sum === 0 || maxAbs === 0) {
          codes.fill(ROW_CODE_BIAS, to, to + dim);
          block.scales[block.count + r] = 0;
          continue;
        }
        const invNorm = 1 / Math.sqrt(sum);
        // Largest magnitude of the unit vector maps to code 127, as in quantizeInto.
        const scale = (maxAbs * invNorm) / 127;
        const toCode = 127 / maxAbs;
        let residual = 0;
        for (let j = 0; j < dim; j++) {
          const v = vectors[from + j]!;
          // floor(x + 0.5) of a value made positive by the bias: Math.round without a call.
          const biased = (v * toCode + (ROW_CODE_BIAS + 0.5)) | 0;
          codes[to + j] = biased;
          const code = biased - ROW_CODE_BIAS;
          const lost = v * invNorm - code * scale;
          residual += lost * lost;
        }
        block.scales[block.count + r] = scale;
        if (residual > maxResidual * maxResidual) maxResidual = Math.sqrt(residual);
      }
      block.count += take;
      row += take;
    }
    this.maxResidual = maxResidual;
    if (tileIds instanceof Int32Array) this.ids.set(tileIds.subarray(0, count), this.rows);
    else for (let i = 0; i < count; i++) this.ids[this.rows + i] = tileIds[i]!;
    this.rows += count;
  }

  private checkAscending(tileIds: Int32Array | readonly number[], count: number): void {
    let previous = this.rows > 0 ? this.ids[this.rows - 1]! : -Infinity;
    for (let i = 0; i < count; i++) {
      const id = tileIds[i]!;
      if (id <= previous) throw new Error(`tile ${id} added out of order`);
      previous = id;
    }
  }

  /** The last block if it has room, else a new one. */
  private openBlock(): QuantizedBlock {
    let block = this.blocks[this.blocks.length - 1];
    if (!block || block.count === BLOCK_ROWS) {
      block = { count: 0, codes: new Uint8Array(BLOCK_ROWS * this.dim), scales: new Float32Array(BLOCK_ROWS) };
      this.blocks.push(block);
    }
    return block;
  }

  /** Grows the id array geometrically so appending n rows costs O(n) copies in all. */
  private reserveIds(rows: number): void {
    if (rows <= this.ids.length) return;
    const grown = new Int32Array(Math.max(rows, this.ids.length * 2));
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
