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
