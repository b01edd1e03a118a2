import type { SlideSummary } from '../../../src-shared/contract';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The file name of a path from any platform. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

export function formatDimensions(slide: Pick<SlideSummary, 'width' | 'height'>): string {
  return `${integer.format(slide.width)} × ${integer.format(slide.height)} px`;
}

/** "0.499 µm/px", with 3 significant decimals below 1 µm and fewer above. */
export function formatMpp(mpp: number): string {
  const digits = mpp < 1 ? 3 : mpp < 10 ? 2 : 1;
  return `${Number(mpp.toFixed(digits))} µm/px`;
}

export function formatFormat(slide: Pick<SlideSummary, 'format' | 'vendor'>): string {
  const format = slide.format.toUpperCase();
  return slide.vendor ? `${format} · ${slide.vendor}` : format;
}

export function formatCount(n: number): string {
  return integer.format(n);
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
