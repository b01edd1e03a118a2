import type { BackboneSummary, ViewMode } from '../../../src-shared/contract';

/** Human text for backbone figures; pure, so the table and the forms stay declarative. */

/** The part of a sha256 that identifies a model at a glance; the full hash stays on hover and copy. */
export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

/** "0.485 · 0.456 · 0.406": per-channel (R, G, B) normalisation with at most 3 decimals. */
export function formatRgb(values: readonly [number, number, number]): string {
  return values.map((v) => String(Number(v.toFixed(3)))).join(' · ');
}

export function formatTilesPerSecond(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '–';
  const digits = perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2;
  return `${perSecond.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} tiles/s`;
}

/**
 * What a bundled backbone is, under its name in the table. histo-classic-v1 (and a renamed copy of
 * an older build, `histo-classic-v1-<hash>`) is listed only in projects that hold its vectors.
 */
export function builtinKind(name: string): string {
  if (name === 'histo-classic-v1' || name.startsWith('histo-classic-v1-')) return 'Earlier classical baseline, kept for its stored vectors';
  if (name.startsWith('histo-classic')) return 'Classical baseline, no learned weights';
  return 'ImageNet-pretrained, learned features';
}

/** Where a model came from and under which terms, in one line; null when it says neither. */
export function formatProvenance(backbone: Pick<BackboneSummary, 'source' | 'license'>): string | null {
  const parts = [backbone.source, backbone.license].filter((part): part is string => part !== null && part.trim() !== '');
  return parts.length ? parts.join(' · ') : null;
}

/** What each augmentation mode stores per tile, as the extraction form offers it. */
export const viewModeOptions: ReadonlyArray<{ value: ViewMode; label: string; views: number }> = [
  { value: 'none', label: 'None: the tile as it is', views: 1 },
  { value: 'd4', label: 'D4: 4 rotations × mirror', views: 8 },
  { value: 'stain', label: 'Stain: original + 4 stain jitters', views: 5 },
  { value: 'd4+stain', label: 'D4 + stain', views: 12 },
];
