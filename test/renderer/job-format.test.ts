import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatRate, progressFraction } from '../../src-renderer/src/format/job-format';

describe('job figures', () => {
  it('formats durations', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3 h 02 min');
  });

  it('formats rates and counts', () => {
    expect(formatRate(0)).toBe('–');
    expect(formatRate(3.456)).toBe('3.46/s');
    expect(formatRate(34.56)).toBe('34.6/s');
    expect(formatRate(345.6)).toBe('346/s');
    expect(formatCount(12345)).toBe('12,345');
  });

  it('computes progress only with a known total', () => {
    expect(progressFraction(5, null)).toBeNull();
    expect(progressFraction(5, 0)).toBeNull();
    expect(progressFraction(25, 100)).toBe(0.25);
    expect(progressFraction(120, 100)).toBe(1);
  });
});
