import type { SlideOfSource } from '../project/repos/slides-repo';

/** The legend entries of a map coloured by source, and the entry of each slide or patch image. */
export interface SourceCategories {
  categories: string[];
  categoryOfSlide: Map<number, number>;
}

/**
 * Categories for colouring a map by where its tiles came from: each slide its own, and each patch
 * set one for all its images (742 patch images are one dataset, not 742 legend entries). Only
 * sources with a tile in the map get one, in the order of their first slide or image. A slide's
 * name is its path; a patch set's is its folder's path with "(patch set, N images)" after it, so
 * that the base name the legend shows reads "kather (patch set, 742 images)".
 */
export function sourceCategories(slides: readonly SlideOfSource[], mappedSlideIds: ReadonlySet<number>): SourceCategories {
  const imagesOfSet = new Map<number, number>();
  for (const s of slides) if (s.patchSetId !== null) imagesOfSet.set(s.patchSetId, (imagesOfSet.get(s.patchSetId) ?? 0) + 1);

  const categories: string[] = [];
  const categoryOfSet = new Map<number, number>();
  const categoryOfSlide = new Map<number, number>();
  for (const s of slides) {
    if (!mappedSlideIds.has(s.id)) continue;
    if (s.patchSetId === null) {
      categoryOfSlide.set(s.id, categories.push(s.path) - 1);
      continue;
    }
    let category = categoryOfSet.get(s.patchSetId);
    if (category === undefined) {
      const images = imagesOfSet.get(s.patchSetId)!;
      category = categories.push(`${s.patchSetRoot ?? `patch set ${s.patchSetId}`} (patch set, ${images.toLocaleString('en-US')} ${images === 1 ? 'image' : 'images'})`) - 1;
      categoryOfSet.set(s.patchSetId, category);
    }
    categoryOfSlide.set(s.id, category);
  }
  return { categories, categoryOfSlide };
}
