import { describe, expect, it } from 'vitest';
import type { SlideSummary } from '../../src-shared/contract';
import { predictTargets } from '../../src-renderer/src/format/predict-targets';
import { querySlides } from '../../src-renderer/src/format/slide-list-query';
import { labelSourcesText, slidesAndPatchSets } from '../../src-renderer/src/format/project-counts';

function slide(id: number, path: string, patchSetId: number | null = null, mppX: number | null = 0.5): SlideSummary {
  return {
    id,
    path,
    fingerprint: `f${id}`,
    kind: patchSetId === null ? 'slide' : 'image',
    patchSetId,
    format: patchSetId === null ? 'svs' : 'png',
    vendor: null,
    width: 1000,
    height: 800,
    mppX,
    mppY: mppX,
    mppSource: mppX === null ? null : 'file',
    magnification: null,
    levels: [{ width: 1000, height: 800, downsample: 1, tileWidth: 256, tileHeight: 256 }],
  };
}

const slides = [slide(1, '/s/a.svs'), slide(2, '/s/b.svs'), slide(3, '/s/c.svs'), slide(4, '/p/x/1.png', 7, null), slide(5, '/p/x/2.png', 7, null)];

describe('what the predict button runs over', () => {
  it('predicts the slides not yet predicted by default, never the patch sets, and says so', () => {
    const targets = predictTargets(slides, new Set([1]), null, { scope: 'unpredicted', includePatchSets: false });
    expect(targets).toEqual({ paths: ['/s/b.svs', '/s/c.svs'], label: 'Predict 2 slides not yet predicted' });
  });

  it('covers all slides, the selected one, or patch images too when the user asks', () => {
    expect(predictTargets(slides, new Set([1]), null, { scope: 'all', includePatchSets: false }).label).toBe('Predict 3 slides');
    expect(predictTargets(slides, new Set([1, 4]), null, { scope: 'unpredicted', includePatchSets: true })).toEqual({
      paths: ['/s/b.svs', '/s/c.svs', '/p/x/2.png'],
      label: 'Predict 2 slides and 1 patch image not yet predicted',
    });
    expect(predictTargets(slides, new Set(), 2, { scope: 'selected', includePatchSets: true })).toEqual({ paths: ['/s/b.svs'], label: 'Predict b.svs' });
    expect(predictTargets(slides, new Set(), null, { scope: 'selected', includePatchSets: false })).toEqual({ paths: [], label: 'Predict the selected slide' });
    expect(predictTargets(slides, new Set([1, 2, 3]), null, { scope: 'unpredicted', includePatchSets: false }).paths).toEqual([]);
  });
});

describe('slide list search, filter and sort', () => {
  const list = [slide(1, '/s/case-10.svs'), slide(2, '/s/Case-2.svs', null, null), slide(3, '/t/other.svs', null, 0.25)];

  it('finds by every word of the path, ignoring case, and filters by resolution', () => {
    expect(querySlides(list, { text: 'CASE', sort: 'added', resolution: 'all' }).map((s) => s.id)).toEqual([1, 2]);
    expect(querySlides(list, { text: 's case', sort: 'added', resolution: 'all' }).map((s) => s.id)).toEqual([1, 2]);
    expect(querySlides(list, { text: '', sort: 'added', resolution: 'unknown' }).map((s) => s.id)).toEqual([2]);
    expect(querySlides(list, { text: '', sort: 'added', resolution: 'known' }).map((s) => s.id)).toEqual([1, 3]);
  });

  it('sorts by name in natural order and by resolution with unknown last, leaving the input untouched', () => {
    expect(querySlides(list, { text: '', sort: 'name', resolution: 'all' }).map((s) => s.id)).toEqual([2, 1, 3]);
    expect(querySlides(list, { text: '', sort: 'mpp', resolution: 'all' }).map((s) => s.id)).toEqual([3, 1, 2]);
    expect(list.map((s) => s.id)).toEqual([1, 2, 3]);
  });
});

describe('where labels come from', () => {
  it('counts slides and patch-set images apart', () => {
    const patchSetOf = (id: number) => (id > 2 ? 7 : null);
    expect(labelSourcesText([1, 2], patchSetOf)).toBe('2 slides');
    expect(labelSourcesText([3, 4, 5], patchSetOf)).toBe('3 patch images');
    expect(labelSourcesText([1, 3, 4], patchSetOf)).toBe('1 slide and 2 patch images');
    expect(slidesAndPatchSets({ slides: 2, patchSets: 1 })).toBe('2 slides, 1 patch set');
    expect(slidesAndPatchSets({ slides: 1000, patchSets: 0 })).toBe('1,000 slides');
  });
});
