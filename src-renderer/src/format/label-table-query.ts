import type { TaskLabelColumns } from '../../../src-shared/contract';
import { baseName } from './slide-format';
import { byName } from './slide-list-query';

export type LabelSortKey = 'slide' | 'class' | 'source' | 'date';

export interface LabelTableQuery {
  /** Words that must each appear in the slide name or the class (case-insensitive). */
  text: string;
  sort: LabelSortKey;
  descending: boolean;
  /** A class name, or 'all'. */
  className: string;
  /** A source (import, viewer, search, review, map), or 'all'. */
  source: string;
}

/** What people call each label source. */
export const labelSourceNames: Readonly<Record<string, string>> = {
  import: 'Imported file',
  viewer: 'Viewer',
  review: 'Review',
  search: 'Search',
  map: 'Map',
};

/** The rank of each dictionary entry in the order a sort wants, so rows sort by integers. */
function ranks(values: readonly string[], compare: (a: string, b: string) => number): Int32Array {
  const order = values.map((_, i) => i).sort((a, b) => compare(values[a]!, values[b]!));
  const rank = new Int32Array(values.length);
  order.forEach((index, position) => (rank[index] = position));
  return rank;
}

/**
 * The rows (indexes into the columns) a label table shows for a search, a class and source filter
 * and a sort. Pure and integer-based: 100,000 labels are searched and sorted in tens of
 * milliseconds, because every string is looked at once per distinct value, not once per row.
 */
export function queryLabelRows(columns: TaskLabelColumns, query: LabelTableQuery): number[] {
  const { rows } = columns;
  const count = rows.tileId.length;
  const slideNames = columns.slides.map((slide) => baseName(slide.path));
  const words = query.text.toLowerCase().split(/\s+/).filter(Boolean);
  // A row matches when each word is in its slide name or its class: decided per (slide, class) pair.
  const classCount = columns.classes.length;
  const pairMatches = new Map<number, boolean>();
  const matches = (row: number): boolean => {
    if (words.length === 0) return true;
    const key = rows.slide[row]! * classCount + rows.classIndex[row]!;
    let hit = pairMatches.get(key);
    if (hit === undefined) {
      const slide = slideNames[rows.slide[row]!]!.toLowerCase();
      const className = columns.classes[rows.classIndex[row]!]!.toLowerCase();
      hit = words.every((word) => slide.includes(word) || className.includes(word));
      pairMatches.set(key, hit);
    }
    return hit;
  };
  const classWanted = query.className === 'all' ? -1 : columns.classes.indexOf(query.className);
  const sourceWanted = query.source === 'all' ? -1 : columns.sources.indexOf(query.source);
  if ((query.className !== 'all' && classWanted === -1) || (query.source !== 'all' && sourceWanted === -1)) return [];

  const kept: number[] = [];
  for (let row = 0; row < count; row++) {
    if (classWanted !== -1 && rows.classIndex[row] !== classWanted) continue;
    if (sourceWanted !== -1 && rows.source[row] !== sourceWanted) continue;
    if (matches(row)) kept.push(row);
  }

  const compare = comparatorOf(columns, query.sort, slideNames);
  const direction = query.descending ? -1 : 1;
  // Ties keep the order the labels were made in (the row order), so a sort is stable and repeatable.
  kept.sort((a, b) => direction * compare(a, b) || a - b);
  return kept;
}

function comparatorOf(columns: TaskLabelColumns, sort: LabelSortKey, slideNames: readonly string[]): (a: number, b: number) => number {
  const { rows } = columns;
  switch (sort) {
    case 'slide': {
      const rank = ranks(slideNames, (a, b) => byName.compare(a, b));
      // Within a slide, the tiles in reading order.
      return (a, b) => rank[rows.slide[a]!]! - rank[rows.slide[b]!]! || rows.y[a]! - rows.y[b]! || rows.x[a]! - rows.x[b]!;
    }
    case 'class':
      // The task's class order (its colours), not the alphabet.
      return (a, b) => rows.classIndex[a]! - rows.classIndex[b]!;
    case 'source': {
      const rank = ranks(columns.sources.map((source) => labelSourceNames[source] ?? source), (a, b) => byName.compare(a, b));
      return (a, b) => rank[rows.source[a]!]! - rank[rows.source[b]!]!;
    }
    case 'date': {
      const rank = ranks(columns.dates, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return (a, b) => rank[rows.date[a]!]! - rank[rows.date[b]!]!;
    }
  }
}
