import type { SearchRequest, SearchResponse, SearchResult } from '../../../src-shared/contract';
import { SearchRequest as SearchRequestSchema } from '../../../src-shared/contract';
import { noStoredVectorsError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { TilesRepo, type DescribedTile } from '../project/repos/tiles-repo';
import { exactTopK } from './exact-search';
import { searchIndexCache } from './index-cache';
import { allowedRows } from './search-filters';
import { queryVector } from './search-query';
import { resolveTask } from './resolve-task';
import { hasStoredVectors, storedVectors } from './stored-vectors';

/** Slide, position and label of tiles that exist (absent ids are left out). */
export function describeTiles(store: ProjectStore, tileIds: readonly number[], taskId: number | null): Map<number, DescribedTile> {
  const describe = new TilesRepo(store.db).describeLookup();
  const rows = new Map<number, DescribedTile>();
  for (const id of tileIds) {
    const row = describe(id, taskId);
    if (row) rows.set(id, row);
  }
  return rows;
}

/**
 * Search by example: the k stored tiles most similar (cosine) to the query, over one backbone's
 * view-0 vectors, within the filters. Exact: see exactTopK. Reads only; nothing is written.
 */
export async function searchProject(store: ProjectStore, request: SearchRequest, onLoadProgress?: (done: number) => void): Promise<SearchResponse> {
  const { backbone: ref, query, k, filters, task } = SearchRequestSchema.parse(request);
  const started = performance.now();
  const backbone = new BackbonesRepo(store.db).resolve(ref);
  if (!hasStoredVectors(store, backbone.id)) {
    throw noStoredVectorsError(backbone.name);
  }
  const taskId = task === undefined ? null : resolveTask(store, task).id;
  const { vector, tileIds: queryTileIds } = await queryVector(store, backbone, query);
  const index = await searchIndexCache.get(store, backbone.id, backbone.dim, onLoadProgress);
  const allowed = allowedRows(store, index, filters);
  const matmul = await searchIndexCache.matMul(backbone.dim);
  const exactVectors = (rows: readonly number[]) => storedVectors(store, backbone.id, backbone.dim, rows.map((r) => index.tileIds[r]!));
  const top = await exactTopK(index, matmul, vector, k, exactVectors, allowed);
  const tileIds = top.map((t) => index.tileIds[t.row]!);
  const described = describeTiles(store, tileIds, taskId);
  const results: SearchResult[] = [];
  top.forEach((t, i) => {
    const row = described.get(tileIds[i]!);
    if (!row) return; // deleted since the index was loaded
    const { label, ...rest } = row;
    results.push({ ...rest, similarity: t.similarity, ...(label !== null ? { label } : {}) });
  });
  const searched = allowed ? allowed.reduce((n, a) => n + a, 0) : index.count;
  return { backbone: backbone.name, queryTileIds, searched, milliseconds: performance.now() - started, results };
}
