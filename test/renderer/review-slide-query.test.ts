import { describe, expect, it } from 'vitest';
import { queryReviewSlides, type ReviewSlideQuery } from '../../src-renderer/src/format/review-slide-query';
import type { ReviewProgress, SlidePredictionSummary } from '../../src-renderer/src/stores/predictions-store';

function slide(slideId: number, name: string, positive: number, max: number): SlidePredictionSummary {
  return { slideId, path: `/study/${name}.svs`, width: 1000, height: 800, tiles: 100, positive, fraction: positive / 100, max, mean: max / 2, meanTopK: max, positivesPerMm2: null, perClass: {} };
}
const progressOf = (slideId: number, reviewed: number): ReviewProgress => ({ slideId, path: '', predicted: 100, reviewed, accepted: reviewed, rejected: 0, relabelled: 0 });
const all: ReviewSlideQuery = { text: '', sort: 'name', status: 'all' };

describe('the Review slide list query', () => {
  const slides = [slide(1, 'case 10 HE', 5, 0.9), slide(2, 'case 2 HE', 40, 0.7), slide(3, 'case 3 IHC', 40, 0.99)];
  const progress = [progressOf(1, 100), progressOf(2, 30)];

  it('sorts by name (numbers in order), by called tiles, by score and by what is left to review', () => {
    const names = (query: ReviewSlideQuery) => queryReviewSlides(slides, progress, query).map((s) => s.slideId);
    expect(names(all)).toEqual([2, 3, 1]);
    expect(names({ ...all, sort: 'called' })).toEqual([2, 3, 1]);
    expect(names({ ...all, sort: 'max' })).toEqual([3, 1, 2]);
    // Slide 3 has no progress row: all its 100 tiles are left.
    expect(names({ ...all, sort: 'unreviewed' })).toEqual([3, 2, 1]);
  });

  it('searches every word of the path and filters by review status', () => {
    expect(queryReviewSlides(slides, progress, { ...all, text: 'he CASE' }).map((s) => s.slideId)).toEqual([2, 1]);
    expect(queryReviewSlides(slides, progress, { ...all, status: 'reviewed' }).map((s) => s.slideId)).toEqual([1]);
    expect(queryReviewSlides(slides, progress, { ...all, status: 'to-review' }).map((s) => s.slideId)).toEqual([2, 3]);
  });

  it('handles 10,000 predicted slides: a search finds the one slide, the sort keeps every slide', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => slide(i + 1, `slide ${i + 1}`, (i * 7919) % 100, ((i * 104729) % 1000) / 1000));
    const found = queryReviewSlides(many, [], { ...all, text: 'slide 9999.' });
    expect(found.map((s) => s.slideId)).toEqual([9999]);
    const sorted = queryReviewSlides(many, [], { ...all, sort: 'called' });
    expect(sorted).toHaveLength(10_000);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.positive).toBeGreaterThanOrEqual(sorted[i]!.positive);
    expect(queryReviewSlides(many, [], { ...all, sort: 'name' }).slice(0, 3).map((s) => s.slideId)).toEqual([1, 2, 3]);
  });
});
