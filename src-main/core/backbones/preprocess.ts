import { HistoError } from '../errors';
import type { RgbImage } from '../slides/slide-source';
import type { BackboneSpec } from './backbone-spec';

type Normalisation = Pick<BackboneSpec, 'inputSize' | 'mean' | 'std'>;

const lutCache = new Map<string, Float32Array>();

/**
 * Three 256-entry tables, one per channel: byte value -> (v/255 - mean) / std as float32. A table
 * lookup replaces two float operations per sample and gives exactly the value of the formula.
 */
function lookupTables(spec: Normalisation): Float32Array {
  const key = `${spec.mean.join(',')}/${spec.std.join(',')}`;
  const cached = lutCache.get(key);
  if (cached) return cached;
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c]!;
    const std = spec.std[c]!;
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - mean) / std;
  }
  if (lutCache.size > 32) lutCache.clear();
  lutCache.set(key, lut);
  return lut;
}

/** Floats one tile takes in the input tensor: 3 x inputSize x inputSize. */
export function floatsPerTile(spec: Pick<BackboneSpec, 'inputSize'>): number {
  return 3 * spec.inputSize * spec.inputSize;
}

/**
 * Writes tiles into a backbone input tensor: NCHW float32, each sample (v/255 - mean[c]) / std[c].
 * `offset` is the float index where the first tile goes, so a batch buffer can be filled tile by
 * tile; returns the index just past the last tile written. Tiles must already be inputSize square.
 */
export function writeInputTensor(tiles: readonly RgbImage[], spec: Normalisation, out: Float32Array, offset = 0): number {
  const size = spec.inputSize;
  const plane = size * size;
  const needed = offset + tiles.length * 3 * plane;
  if (!Number.isInteger(offset) || offset < 0 || needed > out.length) {
    throw new HistoError('BAD_INPUT', `input tensor of ${out.length} floats cannot take ${tiles.length} tiles of ${size}x${size} at offset ${offset}`);
  }
  const lut = lookupTables(spec);
  let base = offset;
  for (let t = 0; t < tiles.length; t++) {
    const tile = tiles[t]!;
    if (tile.width !== size || tile.height !== size || tile.data.length !== plane * 3) {
      throw new HistoError(
        'BAD_INPUT',
        `tile ${t} is ${tile.width}x${tile.height} (${tile.data.length} bytes); the backbone takes ${size}x${size} RGB tiles`,
      );
    }
    const data = tile.data;
    const r = base;
    const g = base + plane;
    const b = base + 2 * plane;
    for (let p = 0, i = 0; p < plane; p++, i += 3) {
      out[r + p] = lut[data[i]!]!;
      out[g + p] = lut[256 + data[i + 1]!]!;
      out[b + p] = lut[512 + data[i + 2]!]!;
    }
    base += 3 * plane;
  }
  return base;
}
