/**
 * The class a review is about. A head over several classes is reviewed either for one class of
 * interest (a tile's score is that class's probability, and it is "called" at or above the
 * threshold) or for all classes at once (the argmax class, scored by its probability: the
 * confidence). Core and renderer score tiles with these same functions, so the threshold, the
 * stats, the PR curve and the exports always agree.
 */

/** Index of the class of interest in the head's classes, or null for all classes (argmax with confidence). */
export type ClassFocus = number | null;

export function argmaxOf(probs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  return best;
}

/** The score the threshold cuts: p(class of interest), or the argmax class's probability. */
export function focusScore(probs: ArrayLike<number>, focus: ClassFocus): number {
  return focus === null ? probs[argmaxOf(probs)]! : probs[focus]!;
}

/** Whether a tile's label agrees with what it is called for: that class, or its argmax class. */
export function focusTruth(probs: ArrayLike<number>, label: string, classes: readonly string[], focus: ClassFocus): boolean {
  return label === classes[focus === null ? argmaxOf(probs) : focus];
}

/** How people read the choice: "p(tumour)" or "confidence (argmax class)". */
export function focusScoreName(classes: readonly string[], focus: ClassFocus): string {
  return focus === null ? 'confidence (top class)' : `p(${classes[focus] ?? '?'})`;
}

/** The class name the contract carries: a class, or null for all classes. */
export function focusName(classes: readonly string[], focus: ClassFocus): string | null {
  return focus === null ? null : classes[focus]!;
}
