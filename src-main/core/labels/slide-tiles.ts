import path from 'node:path';
import type Database from 'better-sqlite3';
import { SlidesRepo, type SlideRef } from '../project/repos/slides-repo';
import { TilesRepo, type TileRect } from '../project/repos/tiles-repo';

export type { SlideRef, TileRect };

/** Finds the project's slides and tiles that a label file refers to. */
export class SlideTiles {
  private readonly slides: SlideRef[];
  private readonly tilesCache = new Map<number, TileRect[]>();

  constructor(private readonly db: Database.Database) {
    this.slides = new SlidesRepo(db).refs();
  }

  /**
   * The slide a label file names: its path as imported, the path relative to the label file's
   * folder, or else a file name that only one slide of the project has.
   */
  findSlide(source: string, labelFileDir: string): SlideRef | undefined {
    const candidates = [source, path.resolve(labelFileDir, source), path.resolve(source)];
    for (const candidate of candidates) {
      const found = this.slides.find((s) => s.path === candidate);
      if (found) return found;
    }
    const byName = this.slides.filter((s) => path.basename(s.path) === path.basename(source));
    return byName.length === 1 ? byName[0] : undefined;
  }

  tilesOf(slideId: number): TileRect[] {
    let tiles = this.tilesCache.get(slideId);
    if (!tiles) {
      tiles = new TilesRepo(this.db).rectsOfSlide(slideId);
      this.tilesCache.set(slideId, tiles);
    }
    return tiles;
  }

  /** Tiles whose top-left corner is (x, y); failing that, every tile that contains the point. */
  tilesAt(slideId: number, x: number, y: number): number[] {
    const tiles = this.tilesOf(slideId);
    const exact = tiles.filter((t) => t.x === x && t.y === y);
    if (exact.length) return exact.map((t) => t.id);
    return tiles.filter((t) => x >= t.x && x < t.x + t.width && y >= t.y && y < t.y + t.height).map((t) => t.id);
  }

  /** Tiles whose centre satisfies `inside` (a polygon test in level-0 pixels). */
  tilesWithCentre(slideId: number, inside: (x: number, y: number) => boolean): number[] {
    return this.tilesOf(slideId)
      .filter((t) => inside(t.x + t.width / 2, t.y + t.height / 2))
      .map((t) => t.id);
  }
}
