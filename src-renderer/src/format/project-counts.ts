import type { ProjectSummary } from '../../../src-shared/contract';

/** "3 slides", "1 patch set": a count with its noun, singular for one. */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;
}

/** What the project holds, slides and patch sets apart: "2 slides, 1 patch set". */
export function slidesAndPatchSets(counts: Pick<ProjectSummary['counts'], 'slides' | 'patchSets'>): string {
  const parts = [countOf(counts.slides, 'slide')];
  if (counts.patchSets > 0) parts.push(countOf(counts.patchSets, 'patch set'));
  return parts.join(', ');
}

/**
 * "2 slides and 738 patch images": where a task's labels come from, slides and patch-set images
 * counted apart (`patchSetOf` says which ids are patch images; unknown ids count as slides).
 */
export function labelSourcesText(slideIds: readonly number[], patchSetOf: (slideId: number) => number | null): string {
  const patches = slideIds.filter((id) => patchSetOf(id) !== null).length;
  const slides = slideIds.length - patches;
  if (patches === 0) return countOf(slides, 'slide');
  if (slides === 0) return countOf(patches, 'patch image');
  return `${countOf(slides, 'slide')} and ${countOf(patches, 'patch image')}`;
}
