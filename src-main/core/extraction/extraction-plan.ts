import type { ProjectStore } from '../project/project-store';
import { SlidesRepo } from '../project/repos/slides-repo';
import { TilingsRepo, type TilingParams } from '../project/repos/tilings-repo';
import { TilesRepo, type StoredTile } from '../project/repos/tiles-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { openSlide } from '../slides/open-slide';
import type { SlideSource } from '../slides/slide-source';
import { computeTissueMask } from '../tiling/tissue-mask';
import { gridResolution, planTileGrid } from '../tiling/tile-grid';
import type { ExtractionInput } from './collect-inputs';

export interface TilingChoice {
  /** Tile side in output pixels; for patch images the whole image is resized to it. */
  tileSize: number;
  mpp?: number;
  level?: number;
  minTissue: number;
  mppOverride?: number;
}

/** One slide or image ready to embed: its tiles and, per tile, the views still missing. */
export interface PlannedSource {
  input: ExtractionInput;
  slideId: number;
  source: SlideSource;
  tiles: StoredTile[];
  missing: Array<{ tile: StoredTile; views: number[] }>;
}

function tilingParamsFor(input: ExtractionInput, choice: TilingChoice): TilingParams {
  if (input.kind === 'image') return { wholeImage: true, tileSize: choice.tileSize, mpp: null, level: null, overlap: 0, minTissue: 0 };
  return { tileSize: choice.tileSize, mpp: choice.mpp ?? null, level: choice.level ?? null, overlap: 0, minTissue: choice.minTissue };
}

export interface RegisteredSource {
  input: ExtractionInput;
  slideId: number;
  tilingId: number;
  source: SlideSource;
  tiles: StoredTile[];
}

/**
 * Registers a slide (or patch image) in the project and finds or creates its tiling (tissue
 * detection and the grid, stored in one transaction). The caller closes `source`.
 */
export async function registerSource(store: ProjectStore, input: ExtractionInput, choice: TilingChoice): Promise<RegisteredSource> {
  const source = await openSlide(input.path, { mppOverride: choice.mppOverride });
  try {
    const kind = input.kind === 'image' ? 'image' : 'slide';
    const candidateLabel = input.kind === 'image' ? input.candidateLabel : null;
    const mppSource = choice.mppOverride !== undefined ? 'user' : source.info.mppX === null ? null : 'file';
    const slide = new SlidesRepo(store.db).upsert(source.fingerprint, source.info, kind, candidateLabel, mppSource);
    // A resolution the user set in the Slides view wins over the file's, unless this run overrides it.
    const info = choice.mppOverride === undefined && slide.mppSource === 'user' ? { ...source.info, mppX: slide.info.mppX, mppY: slide.info.mppY } : source.info;
    const tilings = new TilingsRepo(store.db);
    const params = tilingParamsFor(input, choice);

    let tilingId = tilings.existing(slide.id, params);
    if (input.kind === 'image') {
      tilingId ??= tilings.create(slide.id, params, [{ x: 0, y: 0, width: info.width, height: info.height, tissue: 1 }]);
    } else {
      // Resolved before any pixel is read: a slide without mpp is refused here, with the fix named.
      gridResolution(info, params.mpp !== null ? { mpp: params.mpp } : { level: params.level ?? 0 });
      if (tilingId === undefined) {
        const mask = await computeTissueMask(source);
        const grid = planTileGrid(info, mask, {
          tileSize: params.tileSize,
          ...(params.mpp !== null ? { mpp: params.mpp } : { level: params.level ?? 0 }),
          minTissue: params.minTissue,
        });
        tilingId = tilings.create(slide.id, params, grid.tiles);
      }
    }
    return { input, slideId: slide.id, tilingId, source, tiles: new TilesRepo(store.db).ofTiling(tilingId) };
  } catch (err) {
    await source.close();
    throw err;
  }
}

/**
 * Registers a source and lists the (tile, view) pairs the backbone has not stored yet: a rerun
 * after a crash resumes from there. The caller closes `source`.
 */
export async function planSource(
  store: ProjectStore,
  input: ExtractionInput,
  choice: TilingChoice,
  backboneId: number,
  viewIndexes: readonly number[],
): Promise<PlannedSource> {
  const registered = await registerSource(store, input, choice);
  const stored = new EmbeddingsRepo(store.db).existingKeys(backboneId, registered.tilingId);
  const missing = registered.tiles
    .map((tile) => ({ tile, views: viewIndexes.filter((v) => !stored.has(`${tile.id}:${v}`)) }))
    .filter((m) => m.views.length > 0);
  return { input, slideId: registered.slideId, source: registered.source, tiles: registered.tiles, missing };
}
