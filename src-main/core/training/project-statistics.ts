import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { decodeVectorInto } from '../embeddings/vector-codec';
import { EmbeddingQueriesRepo } from '../project/repos/embedding-queries-repo';
import type { Standardizer } from '../heads/standardize';

/**
 * Label-free per-dimension mean and std of every stored view-0 embedding of a backbone in the
 * project (what `standardize-project` freezes into a head). One streaming pass in double
 * precision (Welford), so memory stays at a few vectors whatever the project's size. Null when the
 * backbone has no stored embeddings.
 */
export function projectEmbeddingStatistics(store: ProjectStore, backbone: StoredBackbone): { stats: Standardizer; rows: number } | null {
  const dim = backbone.dim;
  const mean = new Float64Array(dim);
  const m2 = new Float64Array(dim);
  const row = new Float32Array(dim);
  let n = 0;
  const rows = new EmbeddingQueriesRepo(store.db).iterateViewZero(backbone.id);
  for (const [dtype, vector] of rows) {
    decodeVectorInto(vector, dtype, dim, row, 0);
    n++;
    for (let j = 0; j < dim; j++) {
      const d = row[j]! - mean[j]!;
      mean[j]! += d / n;
      m2[j]! += d * (row[j]! - mean[j]!);
    }
  }
  if (n === 0) return null;
  const stats: Standardizer = { mean: new Float32Array(dim), invStd: new Float32Array(dim) };
  for (let j = 0; j < dim; j++) {
    stats.mean[j] = mean[j]!;
    const std = Math.sqrt(m2[j]! / n);
    stats.invStd[j] = std > 1e-12 ? 1 / std : 1;
  }
  return { stats, rows: n };
}
