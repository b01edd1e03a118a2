import type { SlideSummary } from '../../../src-shared/contract';
import { baseName } from './slide-format';
import { countOf } from './project-counts';

/** Which slides a prediction run covers: those the head has not predicted yet, all, or the one open in the viewer. */
export type PredictScope = 'unpredicted' | 'all' | 'selected';

export interface PredictChoice {
  scope: PredictScope;
  /** Also predict the images of patch sets (off by default: their patches are usually what the head was trained on). */
  includePatchSets: boolean;
}

export interface PredictTargets {
  paths: string[];
  /** What the button says it will do, e.g. "Predict 3 slides not yet predicted". */
  label: string;
}

/**
 * The files a prediction run is given, and the words for it. Slides and patch sets are counted
 * apart, so "Predict 742 slides" can never again mean 2 slides and 740 training patches.
 */
export function predictTargets(slides: readonly SlideSummary[], predictedIds: ReadonlySet<number>, selectedId: number | null, choice: PredictChoice): PredictTargets {
  const slideFiles = slides.filter((s) => s.patchSetId === null);
  const patchImages = choice.includePatchSets ? slides.filter((s) => s.patchSetId !== null) : [];
  const pick = (list: readonly SlideSummary[]) => {
    if (choice.scope === 'all') return [...list];
    if (choice.scope === 'unpredicted') return list.filter((s) => !predictedIds.has(s.id));
    return list.filter((s) => s.id === selectedId);
  };
  const chosenSlides = pick(slideFiles);
  const chosenPatches = choice.scope === 'selected' ? [] : pick(patchImages);
  const what = [countOf(chosenSlides.length, 'slide')];
  if (chosenPatches.length) what.push(countOf(chosenPatches.length, 'patch image'));
  let label = `Predict ${what.join(' and ')}`;
  if (choice.scope === 'unpredicted') label += ' not yet predicted';
  if (choice.scope === 'selected') label = chosenSlides.length ? `Predict ${baseName(chosenSlides[0]!.path)}` : 'Predict the selected slide';
  return { paths: [...chosenSlides, ...chosenPatches].map((s) => s.path), label };
}
