import { describe, expect, it } from 'vitest';
import { formatDifferenceCi, formatGain } from '../../src-renderer/src/format/training-format';
import { LearningCurveSummary, TrainSummary } from '../../src-shared/contract';
import { pairedDifference } from '../../src-shared/domain/paired-difference';

describe('with/without verdict in the UI', () => {
  it('says "no measurable gain" when the paired CI includes 0, and never ±0.000', () => {
    const none = pairedDifference([0.81, 0.8, 0.82], [0.8, 0.81, 0.81]);
    expect(formatGain(0.807, 0.81, none)).toBe('no measurable gain');
    expect(formatGain(0.8, 0.8)).toBe('no measurable gain');
    const gain = pairedDifference([0.85, 0.86, 0.84, 0.86], [0.8, 0.81, 0.8, 0.8]);
    expect(formatGain(0.8025, 0.8525, gain)).toBe('+0.050');
    expect(formatDifferenceCi(gain)).toMatch(/^95% CI \+0\.0\d\d to \+0\.0\d\d over 4$/);
    expect(formatDifferenceCi({ ciLow: null, ciHigh: null, pairs: 1 })).toBe('1 pair, no CI');
    for (const text of [formatGain(0.8, 0.8), formatGain(0.8, 0.8, none), formatGain(0.8, 0.8001, pairedDifference([0.8001, 0.8002], [0.8, 0.8]))]) expect(text).not.toContain('±0.000');
  });

  it('parses the difference and the preprocessing report at the edge', () => {
    const difference = { mean: 0.01, ciLow: -0.01, ciHigh: 0.03, pairs: 5, verdict: 'no measurable gain', text: 'no measurable gain (+0.010, ...)' };
    const curve = LearningCurveSummary.parse({ curve: [{ labelsPerClass: 2, f1Macro: 0.8, f1MacroStd: 0.1, f1MacroAugmented: 0.81, f1MacroAugmentedStd: 0.1, difference, repeats: 5, trainRows: 6 }], preprocess: 'auto', seconds: 1 });
    expect(curve.curve[0]!.difference?.verdict).toBe('no measurable gain');
    expect(TrainSummary.shape.preprocessing.parse({ requested: 'auto', chosen: 'none', how: 'auto: fallback' })).toMatchObject({ chosen: 'none' });
  });
});
