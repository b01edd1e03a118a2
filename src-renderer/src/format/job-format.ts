/** Human text for job progress figures; pure, so the panel stays declarative. */

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '–';
  const digits = perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2;
  return `${perSecond.toFixed(digits)}/s`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${String(secs).padStart(2, '0')} s`;
  return `${secs} s`;
}

/** Progress in [0, 1], or null when the total is not known yet. */
export function progressFraction(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.min(1, Math.max(0, done / total));
}

/** What each kind of job is called where people read it (the jobs panel, banners). */
const jobTitles: Record<string, string> = {
  embed: 'Extracting embeddings',
  train: 'Training a head',
  'learning-curve': 'Drawing a learning curve',
  predict: 'Predicting slides',
  compare: 'Comparing backbones',
  map: 'Computing the map',
  'search-index': 'Loading the search index',
  merge: 'Merging shard projects',
  'dataset.import-folder': 'Importing a patch folder',
};

/** A job's kind in words: "Importing a patch folder", never `dataset.import-folder`. */
export function jobTitle(kind: string): string {
  const known = jobTitles[kind];
  if (known) return known;
  const words = kind.replace(/[._-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Job';
}
