import type { ClusterEmbedSettings } from '../../../src-shared/contract';

/** The `histo embed` flags for the extraction panel's settings, as each array task runs them. */
export function embedFlags(settings: ClusterEmbedSettings): string[] {
  const flags: string[] = [];
  if (settings.tileSize !== undefined) flags.push('--size', String(settings.tileSize));
  if (settings.mpp !== undefined) flags.push('--mpp', String(settings.mpp));
  if (settings.level !== undefined) flags.push('--level', String(settings.level));
  if (settings.minTissue !== undefined) flags.push('--min-tissue', String(settings.minTissue));
  if (settings.views !== undefined) flags.push('--views', settings.views);
  if (settings.batchSize !== undefined) flags.push('--batch', String(settings.batchSize));
  return flags;
}
