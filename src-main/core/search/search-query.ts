import path from 'node:path';
import type { SearchQuery } from '../../../src-shared/contract';
import { Embedder } from '../backbones/embedder';
import { writeInputTensor, floatsPerTile } from '../backbones/preprocess';
import { HistoError } from '../errors';
import { backboneModelFile } from '../extraction/backbone-model-file';
import { readModelTile } from '../extraction/embedding-pipeline';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { EmbeddingQueriesRepo } from '../project/repos/embedding-queries-repo';
import { SlidesRepo } from '../project/repos/slides-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { openSlide } from '../slides/open-slide';
import { SEARCH_VIEW, storedVectors } from './stored-vectors';

export interface QueryVector {
  vector: Float32Array;
  /** The stored tiles the vector came from (none for an image file). */
  tileIds: number[];
}

/** Tiles of a slide with a stored vector for the backbone that overlap a level-0 rectangle. */
function embeddedTilesIn(store: ProjectStore, backboneId: number, slideId: number, x: number, y: number, width: number, height: number): number[] {
  return new EmbeddingQueriesRepo(store.db).tilesInRegion(backboneId, SEARCH_VIEW, slideId, x, y, width, height);
}

function slideIdOf(store: ProjectStore, slide: number | string): number {
  if (typeof slide === 'number') {
    if (!new SlidesRepo(store.db).exists(slide)) throw new HistoError('NOT_FOUND', `no slide ${slide} in this project`);
    return slide;
  }
  const id = new SlidesRepo(store.db).idOfPath(path.resolve(slide));
  if (id === undefined) throw new HistoError('NOT_FOUND', `${slide}: not a slide of this project (import and embed it first)`);
  return id;
}

/** The mean of the stored vectors of `tileIds`, each scaled to unit length first so no tile dominates. */
function meanOfUnitVectors(store: ProjectStore, backbone: StoredBackbone, tileIds: number[]): Float32Array {
  const vectors = storedVectors(store, backbone.id, backbone.dim, tileIds);
  const mean = new Float32Array(backbone.dim);
  for (let t = 0; t < tileIds.length; t++) {
    const row = vectors.subarray(t * backbone.dim, (t + 1) * backbone.dim);
    const norm = Math.hypot(...row) || 1;
    for (let j = 0; j < backbone.dim; j++) mean[j]! += row[j]! / norm;
  }
  return mean;
}

/** A patch larger than this is a slide: embedding it whole as one tile would make no sense. */
const MAX_QUERY_IMAGE_PIXELS = 4096 * 4096;

/** Embeds an image file as the backbone saw patch images: whole image, resized to its input, same normalisation. */
async function embedImageFile(backbone: StoredBackbone, file: string): Promise<Float32Array> {
  const source = await openSlide(file);
  try {
    if (source.info.width * source.info.height > MAX_QUERY_IMAGE_PIXELS) {
      throw new HistoError('BAD_INPUT', `${file}: ${source.info.width}x${source.info.height} is a slide, not a query patch (at most ${MAX_QUERY_IMAGE_PIXELS} pixels); search a point of the slide instead`);
    }
    const tile = await readModelTile(source, 'image', { id: 0, x: 0, y: 0, width: source.info.width, height: source.info.height, tissue: 1 }, backbone.inputSize);
    const input = new Float32Array(floatsPerTile(backbone));
    writeInputTensor([tile], backbone, input);
    const embedder = await Embedder.open(backboneModelFile(backbone), backbone);
    try {
      return (await embedder.embed(input, 1)).slice(0, backbone.dim);
    } finally {
      await embedder.close();
    }
  } finally {
    await source.close();
  }
}

/** Turns a query into one vector in the backbone's space, or a one-line error saying what is missing. */
export async function queryVector(store: ProjectStore, backbone: StoredBackbone, query: SearchQuery): Promise<QueryVector> {
  switch (query.kind) {
    case 'tile': {
      if (!new TilesRepo(store.db).exists(query.tileId)) throw new HistoError('NOT_FOUND', `no tile ${query.tileId} in this project`);
      const stored = new EmbeddingQueriesRepo(store.db).has(query.tileId, backbone.id, SEARCH_VIEW);
      if (!stored) throw new HistoError('NOT_FOUND', `tile ${query.tileId} has no stored vector for backbone '${backbone.name}' (embed its slide first)`);
      return { vector: storedVectors(store, backbone.id, backbone.dim, [query.tileId]), tileIds: [query.tileId] };
    }
    case 'region': {
      const slideId = slideIdOf(store, query.slideId);
      const tileIds = embeddedTilesIn(store, backbone.id, slideId, query.x, query.y, query.width, query.height);
      if (tileIds.length === 0) throw new HistoError('NOT_FOUND', `slide ${slideId}: no tile embedded by '${backbone.name}' in the region ${query.width}x${query.height} at (${query.x}, ${query.y})`);
      return { vector: meanOfUnitVectors(store, backbone, tileIds), tileIds };
    }
    case 'point': {
      const slideId = slideIdOf(store, query.slide);
      const tileId = embeddedTilesIn(store, backbone.id, slideId, query.x, query.y, 1, 1)[0];
      if (tileId === undefined) throw new HistoError('NOT_FOUND', `slide ${slideId}: no tile embedded by '${backbone.name}' at (${query.x}, ${query.y})`);
      return { vector: storedVectors(store, backbone.id, backbone.dim, [tileId]), tileIds: [tileId] };
    }
    case 'image':
      return { vector: await embedImageFile(backbone, path.resolve(query.path)), tileIds: [] };
  }
}
