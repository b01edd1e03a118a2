import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { callCore } from '../../../src-main/cli/call-core';
import { HistoCore } from '../../../src-main/core/histo-core';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { slideStatusQueries } from '../../../src-main/core/project/repos/slide-status-repo';
import { SlidesRepo } from '../../../src-main/core/project/repos/slides-repo';
import type { SlideInfo } from '../../../src-shared/domain/slide';
import { addBulkLabels, addSlideProgress } from '../../helpers/bulk-progress-rows';
import { addPatchSetRows } from '../../helpers/bulk-project-rows';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

function info(file: string): SlideInfo {
  return { path: file, format: 'tiff', vendor: null, width: 4480, height: 4480, levels: [{ width: 4480, height: 4480, downsample: 1, tileWidth: 256, tileHeight: 256 }], mppX: 0.5, mppY: 0.5, magnification: null, associated: [] };
}

/** A project of `count` slide rows (no files needed: status and labels read only the database). */
function projectWithSlides(dir: string, count: number): string {
  const file = path.join(dir, 'lists.histo');
  const store = ProjectStore.create(file);
  const slides = new SlidesRepo(store.db);
  store.db.transaction(() => {
    for (let i = 1; i <= count; i++) slides.upsert(`fp-${i}`, info(path.join(dir, `case-${i}.tif`)), 'slide', null, 'file');
  })();
  store.close();
  return file;
}

async function withCore<T>(file: string, work: (core: HistoCore) => Promise<T>): Promise<T> {
  const core = new HistoCore();
  try {
    await callCore(core, 'project.open', { path: file });
    return await work(core);
  } finally {
    core.close();
  }
}

describe('slide status and label columns for lists that scale', () => {
  it('slide.status tells each slide file embedded (by which backbone), predicted and reviewed, and leaves patch images out', async () => {
    const dir = tempDir();
    const file = projectWithSlides(dir, 8);
    const patchSet = addPatchSetRows(file, path.join(dir, 'patches'), ['a', 'b'], 3);
    expect(patchSet).toBeGreaterThan(0);
    const { backboneIds, headId } = addSlideProgress(file, { embedded: [1, 2, 3, 4], embeddedSecond: [4, 5], predicted: [2, 3], reviewed: [3] });
    const status = await withCore(file, (core) => callCore(core, 'slide.status', {}));
    expect(status.backbones.map((b) => b.name)).toEqual(['first-net', 'second-net']);
    const bySlide = new Map(status.slides.map((s) => [s.slideId, s]));
    // Slides 6-8 have nothing; no patch image (ids 9-14) appears.
    expect([...bySlide.keys()]).toEqual([1, 2, 3, 4, 5]);
    expect(bySlide.get(1)).toEqual({ slideId: 1, embedded: [backboneIds[0]], predicted: [], reviewed: 0 });
    expect(bySlide.get(3)).toEqual({ slideId: 3, embedded: [backboneIds[0]], predicted: [headId], reviewed: 1 });
    expect(bySlide.get(4)!.embedded).toEqual(backboneIds);
    expect(bySlide.get(5)!.embedded).toEqual([backboneIds[1]]);
  });

  it('slide.status answers for 10,000 slides with grouped queries that probe by primary key, not a scan per slide', async () => {
    const dir = tempDir();
    const file = projectWithSlides(dir, 10_000);
    const every = (step: number) => Array.from({ length: Math.floor(10_000 / step) }, (_, i) => i * step + 1);
    addSlideProgress(file, { embedded: every(2), predicted: every(4), reviewed: every(8), tilesPerSlide: 2 });
    const status = await withCore(file, (core) => callCore(core, 'slide.status', {}));
    expect(status.slides.length).toBe(5000);
    expect(status.slides.filter((s) => s.predicted.length).length).toBe(2500);
    expect(status.slides.filter((s) => s.reviewed > 0).length).toBe(1250);
    // The probes seek (head, tile) and (backbone, tile): walking a head's predictions per tiling
    // instead took seconds here. Speed itself is for benchmarks; the plan is what can regress.
    const db = new Database(file, { readonly: true });
    try {
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail).join(' | ');
      expect(plan(slideStatusQueries.predicted)).toMatch(/SEARCH p USING [^|]*\btile_id=\?/);
      expect(plan(slideStatusQueries.embedded)).toMatch(/SEARCH e USING [^|]*\btile_id=\?/);
    } finally {
      db.close();
    }
  });

  it('label.list gives every label of a task as columns, with repeated values stored once', async () => {
    const dir = tempDir();
    const file = projectWithSlides(dir, 3);
    addBulkLabels(file, 'tissue', ['tumour', 'stroma', 'fat'], [1, 2, 3], 96);
    const columns = await withCore(file, (core) => callCore(core, 'label.list', { task: 'tissue' }));
    expect(columns.task).toBe('tissue');
    expect(columns.classes).toEqual(['tumour', 'stroma', 'fat']);
    expect(columns.rows.tileId.length).toBe(96);
    expect(columns.slides.map((s) => path.basename(s.path)).sort()).toEqual(['case-1.tif', 'case-2.tif', 'case-3.tif']);
    expect([...columns.sources].sort()).toEqual(['import', 'review', 'search', 'viewer']);
    expect(columns.dates.length).toBeLessThanOrEqual(12);
    for (const key of ['slide', 'classIndex', 'source', 'date', 'author', 'x', 'y'] as const) expect(columns.rows[key].length).toBe(96);
    const perClass = columns.classes.map((_, c) => columns.rows.classIndex.filter((i) => i === c).length);
    expect(perClass).toEqual([32, 32, 32]);
    const imported = columns.sources.indexOf('import');
    const authorOf = (row: number) => columns.authors[columns.rows.author[row]!];
    for (let row = 0; row < 96; row++) expect(authorOf(row) === null).toBe(columns.rows.source[row] === imported);
  });

  it('label.list names the missing task and how to make it', async () => {
    const dir = tempDir();
    const file = projectWithSlides(dir, 1);
    await withCore(file, async (core) => {
      await expect(callCore(core, 'label.list', { task: 'nope' })).rejects.toThrow(/no task 'nope' in this project/);
    });
  });
});
