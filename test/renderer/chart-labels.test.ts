import { describe, expect, it } from 'vitest';
import { wrapChartLabel } from '../../src-renderer/src/format/chart-labels';

describe('wrapChartLabel', () => {
  it('breaks long names after their separators, keeps every character, and leaves short ones alone', () => {
    const name = 'pathology-foundation-uni2-h-vit-giant-patch14';
    const lines = wrapChartLabel(name, 14);
    expect(lines.join('')).toBe(name);
    expect(lines.every((l) => l.trimEnd().length <= 14)).toBe(true);
    expect(lines[0]).toBe('pathology-');
    expect(lines.length).toBeGreaterThan(2);
    expect(wrapChartLabel('lin', 14)).toEqual(['lin']);
    expect(wrapChartLabel('phikon v2', 14)).toEqual(['phikon v2']);
  });

  it('cuts a word longer than a line', () => {
    expect(wrapChartLabel('abcdefghijklmnopqrstu', 8)).toEqual(['abcdefgh', 'ijklmnop', 'qrstu']);
    expect(wrapChartLabel('ab-abcdefghijklmnopq', 8)).toEqual(['ab-', 'abcdefgh', 'ijklmnop', 'q']);
  });
});
