import { HistoError } from '../errors';
import type { ClassFocus } from '../../../src-shared/domain/class-focus';
import { defaultThreshold, positiveClassOf } from './predict-slides';

/** The class the head's cross-validated PR curve was measured for, if it has one. */
function curveClass(classes: readonly string[], summary: Record<string, unknown>): number | null {
  const trained = (summary.curves as { class?: string } | undefined)?.class;
  const index = trained ? classes.indexOf(trained) : -1;
  return index >= 0 ? index : null;
}

/**
 * The class of interest a caller asked for: a class name, null for all classes (argmax with
 * confidence), or nothing for the head's own: the class of its PR curve, the second of two
 * classes, and all classes for a head over more than two (never one picked silently).
 */
export function resolveFocus(classes: readonly string[], summary: Record<string, unknown>, requested: string | null | undefined): ClassFocus {
  if (requested === null) return null;
  if (requested === undefined) return curveClass(classes, summary) ?? (classes.length === 2 ? positiveClassOf([...classes], summary) : null);
  const index = classes.indexOf(requested);
  if (index < 0) throw new HistoError('VALIDATION', `class '${requested}' is not one of this head's classes: ${classes.join(', ')}`);
  return index;
}

/**
 * The threshold a focus starts at: the head's F1-optimal one where cross-validation measured it
 * (its curve's class), else 0.5, which for all classes means "the top class is more likely than not".
 */
export function focusDefaultThreshold(classes: readonly string[], summary: Record<string, unknown>, focus: ClassFocus): number {
  return focus !== null && focus === curveClass(classes, summary) ? defaultThreshold(summary) : 0.5;
}
