import type { SlideOverlay, SlideSummary, SlidesImportResult } from '../../../src-shared/contract';
import type { SlideInfo } from '../../../src-shared/domain/slide';
import { HistoError } from '../errors';
import { recordAudit } from '../project/repos/audit-repo';
import type { ProjectStore } from '../project/project-store';
import { SlidesRepo, type StoredSlide } from '../project/repos/slides-repo';
import { openSlide } from '../slides/open-slide';
import { errorText } from '../slides/slide-error';
import { gridResolution, planTileGrid } from '../tiling/tile-grid';
import { computeTissueMask, type TissueMask } from '../tiling/tissue-mask';
import { ByteLru } from '../cache/byte-lru';
import { OpenSlideCache } from './open-slide-cache';
import { collectSlideFiles } from './slide-files';

/** Files opened at once during an import: enough to overlap disk and decoding, few enough for a NAS. */
const IMPORT_CONCURRENCY = 4;
/** Slides kept open for the viewer. */
const OPEN_SLIDES = 8;

export interface OverlayOptions {
  tileSize: number;
  mpp?: number;
  level?: number;
  minTissue: number;
}

function summaryOf(slide: StoredSlide): SlideSummary {
  const { format, vendor, width, height, mppX, mppY, magnification, levels } = slide.info;
  return {
    id: slide.id,
    path: slide.path,
    fingerprint: slide.fingerprint,
    kind: slide.kind,
    patchSetId: slide.patchSetId,
    format,
    vendor,
    width,
    height,
    mppX,
    mppY,
    mppSource: slide.mppSource === 'user' || slide.mppSource === 'file' ? slide.mppSource : null,
    magnification,
    levels,
  };
}

/** Runs `work` over `items` with at most `limit` in flight, results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(runners);
  return results;
}

/**
 * The slides of the open project: importing files and folders, the list, user-supplied
 * resolutions, and the open slides and tissue masks the viewer's images are rendered from.
 */
export class SlideLibrary {
  readonly openSlides: OpenSlideCache;
  private readonly repos = new WeakMap<ProjectStore, SlidesRepo>();
  /** Tissue masks by content fingerprint: about 1 MB each, computed once per slide. */
  private readonly masks = new ByteLru<TissueMask>(64 * 1024 * 1024, (mask) => mask.data.byteLength + 256);

  constructor(private readonly project: () => ProjectStore) {
    this.openSlides = new OpenSlideCache(OPEN_SLIDES);
  }

  private repo(): { store: ProjectStore; slides: SlidesRepo } {
    const store = this.project();
    let slides = this.repos.get(store);
    if (!slides) this.repos.set(store, (slides = new SlidesRepo(store.db)));
    return { store, slides };
  }

  /** The open project (NO_PROJECT when none is): what images drawn from stored results read. */
  projectStore(): ProjectStore {
    return this.project();
  }

  /** A slide of the open project by id, or NOT_FOUND naming the id. */
  slide(id: number): StoredSlide {
    const slide = this.repo().slides.get(id);
    if (!slide) throw new HistoError('NOT_FOUND', `slide ${id} is not in this project`);
    return slide;
  }

  list(): SlideSummary[] {
    return this.repo().slides.list().map(summaryOf);
  }

  /**
   * Imports every slide file named or found in the named folders. A file that cannot be read is
   * reported with its reason and the rest go on; a file already in the project (same content)
   * keeps its row, its id and any resolution the user set.
   */
  async import(paths: readonly string[]): Promise<SlidesImportResult> {
    const { store, slides } = this.repo();
    const scan = await collectSlideFiles(paths);
    const failed = [...scan.failed];
    const opened = await mapLimited(scan.files, IMPORT_CONCURRENCY, async (file) => {
      try {
        const source = await openSlide(file);
        try {
          return { file, fingerprint: source.fingerprint, info: source.info };
        } finally {
          await source.close();
        }
      } catch (err) {
        const message = errorText(err);
        return { file, error: message.startsWith(file) ? message : `${file}: ${message}` };
      }
    });
    const imported: SlideSummary[] = [];
    store.db.transaction(() => {
      for (const result of opened) {
        if ('error' in result) {
          failed.push({ path: result.file, message: result.error! });
          continue;
        }
        const info: SlideInfo = result.info;
        const kind = info.format === 'png' || info.format === 'jpeg' ? 'image' : 'slide';
        const stored = slides.upsert(result.fingerprint, info, kind, null, info.mppX === null ? null : 'file');
        // Re-importing a moved file must not leave a reader open on its old path.
        if (stored.path !== info.path) this.openSlides.forget(stored.path);
        imported.push(summaryOf(stored));
      }
      recordAudit(store.db, 'slides.import', {
        paths,
        imported: imported.map((s) => ({ id: s.id, path: s.path, fingerprint: s.fingerprint })),
        failed: failed.map((f) => f.path),
      });
    })();
    return { imported, failed };
  }

  /** Stores the user's resolution for both axes; the change and the previous value go to the audit log. */
  setMpp(slideId: number, mpp: number): SlideSummary {
    if (!(Number.isFinite(mpp) && mpp > 0)) throw new HistoError('VALIDATION', `mpp must be a positive number, not ${mpp}`);
    const { store, slides } = this.repo();
    const before = this.slide(slideId);
    let after: StoredSlide | undefined;
    store.db.transaction(() => {
      after = slides.setMpp(slideId, mpp, mpp, 'user');
      recordAudit(store.db, 'slides.setMpp', {
        slideId,
        path: before.path,
        fingerprint: before.fingerprint,
        previous: { mppX: before.info.mppX, mppY: before.info.mppY, source: before.mppSource },
        mpp,
      });
    })();
    return summaryOf(after!);
  }

  /** The slide's tissue mask, computed once from a low-resolution overview. */
  async tissueMask(slide: StoredSlide): Promise<TissueMask> {
    return this.masks.get(slide.fingerprint, () => this.openSlides.use(slide.path, (source) => computeTissueMask(source)));
  }

  /** The tissue mask and the tile grid the viewer draws over a slide. */
  async overlay(slideId: number, options: OverlayOptions): Promise<SlideOverlay> {
    const slide = this.slide(slideId);
    // The grid's resolution is checked before any pixel is read: a slide without mpp fails fast.
    // Neither given: the grid is cut at full resolution (level 0).
    const target = options.mpp !== undefined ? { mpp: options.mpp } : { level: options.level ?? 0 };
    gridResolution(slide.info, target);
    const mask = await this.tissueMask(slide);
    const all = planTileGrid(slide.info, mask, { tileSize: options.tileSize, ...target, minTissue: 0 });
    const tiles: number[] = [];
    let extent = Math.round(options.tileSize * all.downsample);
    for (const tile of all.tiles) {
      extent = tile.width;
      if (tile.tissue >= options.minTissue) tiles.push(tile.x, tile.y, tile.tissue);
    }
    let tissuePixels = 0;
    for (const value of mask.data) tissuePixels += value;
    return {
      slideId,
      mask: { width: mask.width, height: mask.height, tissueFraction: tissuePixels / mask.data.length },
      grid: {
        tileSize: all.tileSize,
        mpp: all.mpp,
        level: all.level,
        downsample: all.downsample,
        extent: Math.max(1, extent),
        minTissue: options.minTissue,
        total: all.count,
        count: tiles.length / 3,
        tiles,
      },
    };
  }

  close(): void {
    this.openSlides.closeAll();
    this.masks.clear();
  }
}
