import { seededRandom } from '../backbones/seeded-random';
import { transpose, type FloatMatMul } from './float-matmul';

export interface PcaBasis {
  dim: number;
  components: number;
  mean: Float32Array;
  /** dim x components, row-major: the principal directions as columns. */
  basis: Float32Array;
}

/** Orthonormalises the columns of a dim x c row-major matrix in place (modified Gram-Schmidt). */
function orthonormalizeColumns(v: Float32Array, dim: number, c: number): void {
  for (let j = 0; j < c; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += v[i * c + j]! * v[i * c + p]!;
      for (let i = 0; i < dim; i++) v[i * c + j]! -= dot * v[i * c + p]!;
    }
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += v[i * c + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < dim; i++) v[i * c + j]! /= norm;
  }
}

/**
 * The leading principal directions of `rows` (count x dim): the covariance by one GEMM, then
 * subspace iteration (a few GEMMs of dim x dim by dim x c). Enough for a map's input, where the
 * order among near-equal components does not matter.
 */
export async function fitPca(rows: Float32Array, count: number, dim: number, components: number, matmul: FloatMatMul, iterations = 12): Promise<PcaBasis> {
  const c = Math.min(components, dim, count);
  const mean = new Float32Array(dim);
  for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) mean[j]! += rows[r * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= count;
  const centred = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) centred[r * dim + j] = rows[r * dim + j]! - mean[j]!;
  const covariance = await matmul.product(transpose(centred, count, dim), dim, count, centred, dim);
  const random = seededRandom(17);
  let basis: Float32Array = Float32Array.from({ length: dim * c }, () => random() - 0.5);
  orthonormalizeColumns(basis, dim, c);
  for (let it = 0; it < iterations; it++) {
    basis = await matmul.product(covariance, dim, dim, basis, c);
    orthonormalizeColumns(basis, dim, c);
  }
  return { dim, components: c, mean, basis };
}

/** Projects rows (count x dim) onto the basis: count x components. */
export async function projectRows(pca: PcaBasis, rows: Float32Array, count: number, matmul: FloatMatMul): Promise<Float32Array> {
  const centred = new Float32Array(count * pca.dim);
  for (let r = 0; r < count; r++) for (let j = 0; j < pca.dim; j++) centred[r * pca.dim + j] = rows[r * pca.dim + j]! - pca.mean[j]!;
  return matmul.product(centred, count, pca.dim, pca.basis, pca.components);
}
