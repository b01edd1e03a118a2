import { describe, expect, it } from 'vitest';
import type { TaskLabelColumns } from '../../src-shared/contract';
import { queryLabelRows, type LabelTableQuery } from '../../src-renderer/src/format/label-table-query';

/** Labels of `count` rows cycling over 3 slides, the classes and the sources; dates rise with the row. */
function columns(count: number): TaskLabelColumns {
  const rows: TaskLabelColumns['rows'] = { tileId: [], slide: [], classIndex: [], source: [], date: [], author: [], x: [], y: [] };
  for (let i = 0; i < count; i++) {
    rows.tileId.push(i + 1);
    rows.slide.push(i % 3);
    rows.classIndex.push(Math.floor(i / 3) % 3);
    rows.source.push(i % 2);
    rows.date.push(i % 4);
    rows.author.push(0);
    rows.x.push((count - i) * 10);
    rows.y.push(0);
  }
  return {
    task: 'tissue',
    slides: [{ id: 5, path: '/s/case 10.svs' }, { id: 6, path: '/s/case 2.svs' }, { id: 7, path: '/s/biopsy 3.svs' }],
    classes: ['tumour', 'stroma', 'necrosis'],
    sources: ['viewer', 'import'],
    dates: ['2026-03-01T10:00:00Z', '2026-01-01T10:00:00Z', '2026-04-01T10:00:00Z', '2026-02-01T10:00:00Z'],
    authors: [null],
    rows,
  };
}

const all: LabelTableQuery = { text: '', sort: 'slide', descending: false, className: 'all', source: 'all' };

describe('the label table query', () => {
  const small = columns(18);
  const rows = (query: Partial<LabelTableQuery>) => queryLabelRows(small, { ...all, ...query });

  it('filters by class and by source, and searches slide names and classes with every word', () => {
    expect(rows({ className: 'stroma' }).every((row) => small.rows.classIndex[row] === 1)).toBe(true);
    expect(rows({ className: 'stroma' })).toHaveLength(6);
    expect(rows({ source: 'import' })).toHaveLength(9);
    expect(rows({ className: 'stroma', source: 'import' })).toHaveLength(3);
    expect(rows({ text: 'CASE' })).toHaveLength(12);
    expect(rows({ text: 'case necro' }).every((row) => small.rows.slide[row] !== 2 && small.rows.classIndex[row] === 2)).toBe(true);
    expect(rows({ text: 'case necro' })).toHaveLength(4);
    expect(rows({ className: 'fat' })).toEqual([]);
  });

  it('sorts by slide name (numbers in order, tiles in reading order), class, source and date, either way', () => {
    const bySlide = rows({});
    // biopsy 3, case 2, case 10; within a slide x rises, which is row order reversed here.
    expect(bySlide.slice(0, 6).map((row) => small.rows.slide[row])).toEqual([2, 2, 2, 2, 2, 2]);
    expect(bySlide.slice(6, 12).map((row) => small.rows.slide[row])).toEqual([1, 1, 1, 1, 1, 1]);
    expect(bySlide.slice(0, 6)).toEqual([17, 14, 11, 8, 5, 2]);
    expect(rows({ sort: 'class' }).map((row) => small.rows.classIndex[row])).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    // "Imported file" before "Viewer".
    expect(rows({ sort: 'source' }).slice(0, 9).every((row) => small.rows.source[row] === 1)).toBe(true);
    const newest = rows({ sort: 'date', descending: true }).map((row) => small.dates[small.rows.date[row]!]);
    expect(newest[0]).toBe('2026-04-01T10:00:00Z');
    expect(newest.at(-1)).toBe('2026-01-01T10:00:00Z');
    for (let i = 1; i < newest.length; i++) expect(newest[i - 1]! >= newest[i]!).toBe(true);
  });

  it('answers for 100,000 labels, every row kept by the sort', () => {
    const big = columns(100_000);
    const sorted = queryLabelRows(big, { ...all, sort: 'date' });
    expect(sorted).toHaveLength(100_000);
    expect(new Set(sorted).size).toBe(100_000);
    expect(queryLabelRows(big, { ...all, text: 'biopsy', className: 'tumour' }).length).toBe(11_111);
  });
});
