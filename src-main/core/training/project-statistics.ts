import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
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
  let n = 0;
  for (const chunk of new EmbeddingsRepo(store.db).scan(backbone.id, dim, 0)) {
    for (let r = 0; r < chunk.count; r++) {
      const row = chunk.vectors.subarray(r * dim, (r + 1) * dim);
      n++;
      for (let j = 0; j < dim; j++) {
        const d = row[j]! - mean[j]!;
        mean[j]! += d / n;
        m2[j]! += d * (row[j]! - mean[j]!);
      }
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
