import { describe, expect, it } from 'vitest';
import { equivalentMagnification, formatLength, formatMagnification, scaleBarFor } from '../../src-renderer/src/format/viewer-scale';

describe('viewer scale', () => {
  it('reads magnification by the 0.25 µm/px = 40× convention', () => {
    expect(formatMagnification(equivalentMagnification(0.25))).toBe('40×');
    expect(formatMagnification(equivalentMagnification(0.5))).toBe('20×');
    expect(formatMagnification(equivalentMagnification(4))).toBe('2.5×');
    expect(formatMagnification(equivalentMagnification(0))).toBe('');
  });

  it('picks the longest 1-2-5 length that fits, in µm or mm', () => {
    const atTwenty = scaleBarFor(0.5, 120)!; // 60 µm fit: 50 µm
    expect(atTwenty.microns).toBe(50);
    expect(atTwenty.pixels).toBeCloseTo(100);
    expect(atTwenty.label).toBe('50 µm');
    const overview = scaleBarFor(40, 120)!; // 4,800 µm fit: 2 mm
    expect([overview.microns, overview.label]).toEqual([2000, '2 mm']);
    expect(overview.pixels).toBeLessThanOrEqual(120);
    expect(scaleBarFor(0.01, 120)!.label).toBe('1 µm');
    expect(scaleBarFor(Number.NaN)).toBeNull();
    expect(formatLength(0.5)).toBe('0.5 µm');
  });
});
