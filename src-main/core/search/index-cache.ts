import type { ProjectStore } from '../project/project-store';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { Int8MatMul } from './int8-matmul';
import type { QuantizedIndex } from './quantized-index';
import { loadQuantizedIndex } from './stored-vectors';

interface CachedIndex {
  key: string;
  /** The store's stamp (its largest block id) when loaded: new vectors make it grow, so the cache reloads. */
  stamp: number;
  index: QuantizedIndex;
}

/**
 * Keeps the last searched backbone's index in memory: the first search loads it from SQLite (disk
 * bound), later ones only scan it. One index at a time, because a large study's index is a GiB.
 * Rows deleted since loading are harmless: rescoring reads the store and drops tiles it lacks.
 */
export class SearchIndexCache {
  private cached: CachedIndex | null = null;
  private loading: { key: string; stamp: number; index: Promise<QuantizedIndex> } | null = null;
  private matmul: { dim: number; session: Promise<Int8MatMul> } | null = null;

  async get(store: ProjectStore, backboneId: number, dim: number, onProgress?: (done: number) => void): Promise<QuantizedIndex> {
    const key = `${store.path}#${backboneId}`;
    const stamp = new EmbeddingsRepo(store.db).stamp();
    if (this.cached && this.cached.key === key && this.cached.stamp === stamp) return this.cached.index;
    this.cached = null; // let the old index go before the new one is built
    // Concurrent searches of the same backbone share one load.
    if (this.loading?.key !== key || this.loading.stamp !== stamp) {
      const loading = { key, stamp, index: loadQuantizedIndex(store, backboneId, dim, onProgress) };
      this.loading = loading;
      void loading.index
        .then((index) => {
          if (this.loading === loading) this.cached = { key, stamp, index };
        })
        .catch(() => undefined)
        .finally(() => {
          if (this.loading === loading) this.loading = null;
        });
    }
    return this.loading.index;
  }

  matMul(dim: number): Promise<Int8MatMul> {
    if (this.matmul?.dim !== dim) {
      const previous = this.matmul?.session;
      void previous?.then((m) => m.close()).catch(() => undefined);
      this.matmul = { dim, session: Int8MatMul.open(dim) };
    }
    return this.matmul.session;
  }

  clear(): void {
    this.cached = null;
    this.loading = null;
  }
}

/** One cache per process: the CLI runs one search, the app and server many. */
export const searchIndexCache = new SearchIndexCache();
