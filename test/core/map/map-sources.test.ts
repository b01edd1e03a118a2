import { describe, expect, it } from 'vitest';
import { sourceCategories } from '../../../src-main/core/map/map-sources';
import type { SlideOfSource } from '../../../src-main/core/project/repos/slides-repo';

const slide = (id: number, path: string): SlideOfSource => ({ id, path, patchSetId: null, patchSetRoot: null });
const image = (id: number, patchSetId: number, root: string): SlideOfSource => ({ id, path: `${root}/tumour/${id}.png`, patchSetId, patchSetRoot: root });

describe('map colours by source', () => {
  it('gives each slide its own entry and each patch set one entry for all its images, in order of first appearance', () => {
    const sources = [
      slide(1, '/scans/a.svs'),
      ...Array.from({ length: 742 }, (_, i) => image(2 + i, 1, '/data/kather')),
      slide(744, '/scans/b.svs'),
      image(745, 2, '/data/crc'),
      image(746, 2, '/data/crc'),
    ];
    const { categories, categoryOfSlide } = sourceCategories(sources, new Set(sources.map((s) => s.id)));
    expect(categories).toEqual(['/scans/a.svs', '/data/kather (patch set, 742 images)', '/scans/b.svs', '/data/crc (patch set, 2 images)']);
    expect(categoryOfSlide.get(1)).toBe(0);
    expect(new Set(Array.from({ length: 742 }, (_, i) => categoryOfSlide.get(2 + i)))).toEqual(new Set([1]));
    expect(categoryOfSlide.get(744)).toBe(2);
    expect(categoryOfSlide.get(746)).toBe(3);
  });

  it('lists only the sources with tiles in the map, counting a patch set by all its images', () => {
    const sources = [slide(1, '/scans/a.svs'), slide(2, '/scans/unmapped.svs'), image(3, 7, '/data/one'), image(4, 7, '/data/one'), image(5, 8, '/data/other')];
    const { categories, categoryOfSlide } = sourceCategories(sources, new Set([1, 4, -1]));
    expect(categories).toEqual(['/scans/a.svs', '/data/one (patch set, 2 images)']);
    expect([...categoryOfSlide]).toEqual([
      [1, 0],
      [4, 1],
    ]);
  });
});
