import { describe, expect, it } from 'vitest';
import type { SlideStatus, SlideSummary } from '../../src-shared/contract';
import { querySlides, type SlideListQuery } from '../../src-renderer/src/format/slide-list-query';

function slide(id: number): SlideSummary {
  return { id, path: `/study/case-${id}.svs`, fingerprint: `fp${id}`, kind: 'slide', patchSetId: null, format: 'svs', vendor: 'aperio', width: 1000, height: 800, mppX: 0.5, mppY: 0.5, mppSource: 'file', magnification: 20, levels: [{ width: 1000, height: 800, downsample: 1, tileWidth: 256, tileHeight: 256 }] };
}

// 1: nothing; 2: embedded by backbone 7; 3: embedded by 8, predicted; 4: embedded by 7 and 8, predicted, reviewed.
const statuses = new Map<number, SlideStatus>([
  [2, { slideId: 2, embedded: [7], predicted: [], reviewed: 0 }],
  [3, { slideId: 3, embedded: [8], predicted: [1], reviewed: 0 }],
  [4, { slideId: 4, embedded: [7, 8], predicted: [1], reviewed: 5 }],
]);
const slides = [4, 3, 2, 1].map(slide);
const base: SlideListQuery = { text: '', sort: 'added', resolution: 'all', status: 'all', backbone: 'any' };
const ids = (query: Partial<SlideListQuery>) => querySlides(slides, { ...base, ...query }, (id) => statuses.get(id)).map((s) => s.id);

describe('the slide list status filter', () => {
  it('keeps embedded, predicted or reviewed slides, or those not yet so', () => {
    expect(ids({ status: 'embedded' })).toEqual([2, 3, 4]);
    expect(ids({ status: 'not-embedded' })).toEqual([1]);
    expect(ids({ status: 'predicted' })).toEqual([3, 4]);
    expect(ids({ status: 'not-predicted' })).toEqual([1, 2]);
    expect(ids({ status: 'reviewed' })).toEqual([4]);
    expect(ids({ status: 'not-reviewed' })).toEqual([1, 2, 3]);
  });

  it('reads "embedded" for the chosen backbone, and combines with search and sort', () => {
    expect(ids({ status: 'embedded', backbone: 7 })).toEqual([2, 4]);
    expect(ids({ status: 'not-embedded', backbone: 8 })).toEqual([1, 2]);
    expect(ids({ status: 'embedded', text: 'case-3' })).toEqual([3]);
    expect(ids({ sort: 'progress' })).toEqual([1, 2, 3, 4]);
    expect(ids({ sort: 'progress', status: 'not-reviewed', backbone: 8 })).toEqual([1, 2, 3]);
  });

  it('filters 10,000 slides by status', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => slide(i + 1));
    const predictedEvery3 = (id: number): SlideStatus | undefined => (id % 3 === 0 ? { slideId: id, embedded: [1], predicted: [1], reviewed: 0 } : undefined);
    expect(querySlides(many, { ...base, status: 'predicted' }, predictedEvery3)).toHaveLength(3333);
    expect(querySlides(many, { ...base, status: 'not-predicted' }, predictedEvery3)).toHaveLength(6667);
  });
});
