import type { SearchRequest, SearchResponse, SearchResult } from '../../../src-shared/contract';
import { SearchRequest as SearchRequestSchema } from '../../../src-shared/contract';
import { noStoredVectorsError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { exactTopK } from './exact-search';
import { searchIndexCache } from './index-cache';
import { allowedRows } from './search-filters';
import { queryVector } from './search-query';
import { resolveTask } from './resolve-task';
import { hasStoredVectors, storedVectors } from './stored-vectors';

interface TileRow {
  tileId: number;
  slideId: number;
  source: string;
  x: number;
  y: number;
  width: number;
  height: number;
  label: string | null;
}

/** Slide, position and label of tiles that exist (absent ids are left out). */
export function describeTiles(store: ProjectStore, tileIds: readonly number[], taskId: number | null): Map<number, TileRow> {
  const statement = store.db.prepare(
    `SELECT t.id AS tileId, g.slide_id AS slideId, s.path AS source, t.x, t.y, t.width, t.height,
            (SELECT l.class_name FROM labels l WHERE l.tile_id = t.id AND (? IS NULL OR l.task_id = ?) ORDER BY l.created_at DESC, l.id DESC LIMIT 1) AS label
     FROM tiles t JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE t.id = ?`,
  );
  const rows = new Map<number, TileRow>();
  for (const id of tileIds) {
    const row = statement.get(taskId, taskId, id) as TileRow | undefined;
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
