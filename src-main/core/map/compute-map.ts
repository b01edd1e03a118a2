import { UMAP } from 'umap-js';
import { seededRandom } from '../backbones/seeded-random';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { HistoError, noStoredVectorsError } from '../errors';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { EmbeddingQueriesRepo } from '../project/repos/embedding-queries-repo';
import { normalizeInPlace } from '../search/quantized-index';
import { SEARCH_VIEW, storedVectors } from '../search/stored-vectors';
import { FloatMatMul } from './float-matmul';
import { nearestNeighbours, referenceRows, type ReferenceRows } from './nearest-neighbours';
import { fitPca, projectRows, type PcaBasis } from './pca';
import { stratifiedSample } from './stratified-sample';

/** Tiles UMAP is fitted on by default: its epochs run in JavaScript and grow with this number. */
export const DEFAULT_MAP_SAMPLE = 3000;
/** Rows the PCA basis is estimated from: 50 directions need far fewer than the fit sample. */
const PCA_ROWS = 2000;
const PCA_COMPONENTS = 50;
const UMAP_NEIGHBOURS = 15;
const UMAP_EPOCHS = 200;
const PLACEMENT_NEIGHBOURS = 10;
const BLOCK = 2048;

export interface ComputedMap {
  tileIds: Int32Array;
  /** x, y per tile. */
  coords: Float32Array;
  method: string;
  params: { sample: number; fitted: number; pcaComponents: number; neighbours: number; epochs: number; seed: number };
  seconds: number;
}

function unitRows(rows: Float32Array, count: number, dim: number): Float32Array {
  for (let r = 0; r < count; r++) normalizeInPlace(rows.subarray(r * dim, (r + 1) * dim));
  return rows;
}

/** Neighbour graph of the fitted rows for UMAP (self first, as umap-learn's graph has it), by GEMM blocks. */
async function fittedNeighbourGraph(ref: ReferenceRows, rows: Float32Array, matmul: FloatMatMul, ctx?: JobContext) {
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let start = 0; start < ref.count; start += BLOCK) {
    ctx?.throwIfCancelled();
    const count = Math.min(BLOCK, ref.count - start);
    const nn = await nearestNeighbours(rows.subarray(start * ref.dim, (start + count) * ref.dim), count, ref, UMAP_NEIGHBOURS, matmul);
    for (let q = 0; q < count; q++) {
      indices.push(Array.from(nn.indices.subarray(q * nn.k, (q + 1) * nn.k)));
      distances.push(Array.from(nn.distances.subarray(q * nn.k, (q + 1) * nn.k)));
    }
  }
  return { indices, distances };
}

/** Places rows at the inverse-distance-weighted mean of their nearest fitted rows' map positions. */
async function placeRows(projected: Float32Array, count: number, ref: ReferenceRows, fitted: number[][], matmul: FloatMatMul, out: Float32Array, outRows: Int32Array) {
  const nn = await nearestNeighbours(projected, count, ref, PLACEMENT_NEIGHBOURS, matmul);
  for (let q = 0; q < count; q++) {
    let wx = 0;
    let wy = 0;
    let wsum = 0;
    for (let j = 0; j < nn.k; j++) {
      const w = 1 / (nn.distances[q * nn.k + j]! + 1e-6);
      const p = fitted[nn.indices[q * nn.k + j]!]!;
      wx += w * p[0]!;
      wy += w * p[1]!;
      wsum += w;
    }
    out[outRows[q]! * 2] = wx / wsum;
    out[outRows[q]! * 2 + 1] = wy / wsum;
  }
}

/**
 * A 2-D UMAP of a backbone's view-0 vectors (unit length, so distances follow cosine). Every map
 * goes through PCA to 50 dimensions first; a study larger than `sample` tiles is fitted on a
 * stratified sample (each slide keeps its share) and the other tiles are placed at the
 * inverse-distance-weighted mean of their 10 nearest sampled tiles (UMAP's own transform starts
 * from exactly that, then refines; the refinement is skipped for speed). `method` says which.
 */
export async function computeMap(store: ProjectStore, backbone: StoredBackbone, options: { sample?: number; seed?: number } = {}, ctx?: JobContext): Promise<ComputedMap> {
  const started = performance.now();
  const sampleSize = options.sample ?? DEFAULT_MAP_SAMPLE;
  const seed = options.seed ?? 1;
  const dim = backbone.dim;
  const listing = new EmbeddingQueriesRepo(store.db).tilesAndSlides(backbone.id, SEARCH_VIEW);
  const n = listing.length;
  if (n === 0) throw noStoredVectorsError(backbone.name);
  if (n < 3) throw new HistoError('BAD_INPUT', `backbone '${backbone.name}' has only ${n} stored vectors: a map needs at least 3`);
  const tileIds = Int32Array.from(listing, (r) => r[0]);
  const sampleRows = stratifiedSample(Int32Array.from(listing, (r) => r[1]), sampleSize, seed);
  const fittedCount = sampleRows.length;
  const epochsTotal = UMAP_EPOCHS;
  const total = epochsTotal + n;
  ctx?.progress(0, total, `reading ${fittedCount} tiles to fit`);

  const matmul = await FloatMatMul.open();
  try {
    const sample = unitRows(storedVectors(store, backbone.id, dim, Array.from(sampleRows, (r) => tileIds[r]!)), fittedCount, dim);
    ctx?.throwIfCancelled();
    // The sample is in tile order: a stride subset keeps every slide's share.
    const pcaCount = Math.min(PCA_ROWS, fittedCount);
    const stride = fittedCount / pcaCount;
    const pcaRows = new Float32Array(pcaCount * dim);
    for (let i = 0; i < pcaCount; i++) pcaRows.set(sample.subarray(Math.floor(i * stride) * dim, (Math.floor(i * stride) + 1) * dim), i * dim);
    const pca: PcaBasis = await fitPca(pcaRows, pcaCount, dim, PCA_COMPONENTS, matmul);
    const sampleProjected = await projectRows(pca, sample, fittedCount, matmul);
    const ref = referenceRows(sampleProjected, fittedCount, pca.components);
    const graph = await fittedNeighbourGraph(ref, sampleProjected, matmul, ctx);
    const points: number[][] = [];
    for (let r = 0; r < fittedCount; r++) points.push(Array.from(sampleProjected.subarray(r * pca.components, (r + 1) * pca.components)));
    const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(UMAP_NEIGHBOURS, fittedCount - 1), minDist: 0.1, nEpochs: epochsTotal, random: seededRandom(seed) });
    umap.setPrecomputedKNN(graph.indices, graph.distances);
    const epochs = umap.initializeFit(points);
    for (let e = 0; e < epochs; e++) {
      if (e % 10 === 0) {
        ctx?.throwIfCancelled();
        ctx?.progress(Math.round((e / epochs) * epochsTotal), total, `fitting UMAP on ${fittedCount} tiles: epoch ${e}/${epochs}`);
      }
      umap.step();
    }
    const fitted = umap.getEmbedding();
    const coords = new Float32Array(n * 2);
    sampleRows.forEach((row, i) => {
      coords[row * 2] = fitted[i]![0]!;
      coords[row * 2 + 1] = fitted[i]![1]!;
    });
    if (fittedCount < n) {
      const inSample = new Uint8Array(n);
      for (const r of sampleRows) inSample[r] = 1;
      const block = new Float32Array(BLOCK * dim);
      const blockRows = new Int32Array(BLOCK);
      let filled = 0;
      let placed = fittedCount;
      const flush = async () => {
        ctx?.throwIfCancelled();
        unitRows(block, filled, dim);
        await placeRows(await projectRows(pca, block, filled, matmul), filled, ref, fitted, matmul, coords, blockRows);
        placed += filled;
        filled = 0;
        ctx?.progress(epochsTotal + placed, total, `placing tiles on the map: ${placed}/${n}`);
      };
      // Tile ids ascend, so a scanned vector finds its row by binary search.
      for (const chunk of new EmbeddingsRepo(store.db).scan(backbone.id, dim, SEARCH_VIEW)) {
        for (let i = 0; i < chunk.count; i++) {
          const row = rowOfTile(tileIds, chunk.tileIds[i]!);
          if (row < 0 || inSample[row]) continue;
          block.set(chunk.vectors.subarray(i * dim, (i + 1) * dim), filled * dim);
          blockRows[filled++] = row;
          if (filled === BLOCK) await flush();
        }
      }
      if (filled > 0) await flush();
    }
    ctx?.progress(total, total, 'map done');
    const method =
      fittedCount === n
        ? `UMAP of all ${n} tiles (unit vectors, PCA to ${pca.components} dimensions first)`
        : `UMAP fitted on a stratified sample of ${fittedCount} of ${n} tiles (per slide; unit vectors, PCA to ${pca.components} dimensions first); the other tiles placed at the distance-weighted mean of their ${PLACEMENT_NEIGHBOURS} nearest sampled tiles`;
    return {
      tileIds,
      coords,
      method,
      params: { sample: sampleSize, fitted: fittedCount, pcaComponents: pca.components, neighbours: UMAP_NEIGHBOURS, epochs, seed },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await matmul.close();
  }
}

/** The row of `tileId` in ascending `tileIds`, or -1. */
function rowOfTile(tileIds: Int32Array, tileId: number): number {
  let lo = 0;
  let hi = tileIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const id = tileIds[mid]!;
    if (id === tileId) return mid;
    if (id < tileId) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
