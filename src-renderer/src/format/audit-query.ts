import type { AuditEntry } from '../../../src-shared/contract';
import { auditActionTitle, describeAudit, type AuditDescription } from './audit-format';

/** An audit entry with its words worked out once, for the list and its search. */
export interface DescribedAuditEntry {
  entry: AuditEntry;
  title: string;
  description: AuditDescription;
  /** Lower-case text a search looks in: title, action, sentence and every listed item. */
  haystack: string;
}

export function describeEntries(entries: readonly AuditEntry[]): DescribedAuditEntry[] {
  return entries.map((entry) => {
    const title = auditActionTitle(entry.action);
    const description = describeAudit(entry.detail);
    const haystack = [title, entry.action, description.sentence, ...description.lists.flatMap((list) => list.items)].join('\n').toLowerCase();
    return { entry, title, description, haystack };
  });
}

/** The kinds of entry present (one per action), in words, for the filter. */
export function auditKinds(entries: readonly DescribedAuditEntry[]): Array<{ action: string; title: string; count: number }> {
  const kinds = new Map<string, { action: string; title: string; count: number }>();
  for (const { entry, title } of entries) {
    const kind = kinds.get(entry.action);
    if (kind) kind.count++;
    else kinds.set(entry.action, { action: entry.action, title, count: 1 });
  }
  return [...kinds.values()].sort((a, b) => a.title.localeCompare(b.title));
}

/** Entries of one kind ('all' for every kind) holding every word of the search. */
export function queryAudit(entries: readonly DescribedAuditEntry[], query: { text: string; action: string }): DescribedAuditEntry[] {
  const words = query.text.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((described) => (query.action === 'all' || described.entry.action === query.action) && words.every((word) => described.haystack.includes(word)));
}
