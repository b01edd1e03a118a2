import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src-shared/contract';
import { auditKinds, describeEntries, queryAudit } from '../../src-renderer/src/format/audit-query';

const entry = (id: number, action: string, detail: Record<string, unknown>): AuditEntry => ({ id, at: '2026-11-26T10:00:00.000Z', appVersion: '0.1.0', action, detail, modelSha256: null });

describe('audit trail search and kind filter', () => {
  const slides = Array.from({ length: 742 }, (_, i) => `/data/study/case-${String(i + 1).padStart(5, '0')}.svs`);
  const described = describeEntries([
    entry(4, 'predict', { headId: 2, slides }),
    entry(3, 'train', { task: 'tissue', folds: 5 }),
    entry(2, 'predict', { headId: 1, slides: ['a.svs'] }),
    entry(1, 'project.create', {}),
  ]);

  it('counts the kinds present, in words, sorted by their titles', () => {
    expect(auditKinds(described)).toEqual([
      { action: 'train', title: 'Head trained', count: 1 },
      { action: 'project.create', title: 'Project created', count: 1 },
      { action: 'predict', title: 'Slides predicted', count: 2 },
    ]);
  });

  it('keeps the entries of one kind, in their order', () => {
    expect(queryAudit(described, { text: '', action: 'predict' }).map((d) => d.entry.id)).toEqual([4, 2]);
    expect(queryAudit(described, { text: '', action: 'all' }).map((d) => d.entry.id)).toEqual([4, 3, 2, 1]);
  });

  it('searches the title, the sentence and the items of collapsed lists, every word in any case', () => {
    expect(queryAudit(described, { text: 'CASE-00742', action: 'all' }).map((d) => d.entry.id)).toEqual([4]);
    expect(queryAudit(described, { text: 'head trained  tissue', action: 'all' }).map((d) => d.entry.id)).toEqual([3]);
    expect(queryAudit(described, { text: 'head a.svs', action: 'predict' }).map((d) => d.entry.id)).toEqual([2]);
    expect(queryAudit(described, { text: 'tissue', action: 'predict' })).toEqual([]);
  });
});
