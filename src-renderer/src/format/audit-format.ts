/**
 * Audit entries as people read them: the action in words, its details as one sentence, and any
 * long list (742 predicted slides, written files) apart, to be shown collapsed.
 */

/** A list in an audit entry, shown collapsed under its label ("742 slides"). */
export interface AuditList {
  label: string;
  items: string[];
}

export interface AuditDescription {
  sentence: string;
  lists: AuditList[];
}

/** Lists longer than this are set apart and collapsed; shorter ones read inline. */
const INLINE_ITEMS = 3;

const actionTitles: Record<string, string> = {
  'project.create': 'Project created',
  'project.default-backbone': 'Default backbone chosen',
  'project.merge': 'Shard projects merged',
  'slides.import': 'Slides imported',
  'backbone.import': 'Backbone imported',
  'backbone.builtin': 'Built-in backbone added',
  'task.create': 'Task created',
  'labels.import': 'Labels imported',
  'labels.export': 'Labels exported',
  'dataset.import-folder': 'Patch folder imported',
  'embeddings.export': 'Embeddings exported',
  'map.compute': 'Map computed',
  'head.export': 'Head exported',
  predict: 'Slides predicted',
  'predict.export': 'Predictions exported',
  review: 'Tile reviewed',
  'review.undo': 'Review decision undone',
  compare: 'Backbones compared',
  train: 'Head trained',
  embed: 'Embeddings extracted',
};

/** "Slides predicted", never `predict`; unknown actions in plain words. */
export function auditActionTitle(action: string): string {
  return actionTitles[action] ?? capitalise(action.replace(/[._-]+/g, ' '));
}

function capitalise(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** `headId` → "head", `perClass` → "per class", `withBackbone` → "with backbone". */
function words(key: string): string {
  return key
    .replace(/Id$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

function plainValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(plainValue).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${words(k)} ${plainValue(v)}`)
    .join(', ');
}

/** The details of an audit entry as a sentence, long lists set apart. */
export function describeAudit(detail: Record<string, unknown>): AuditDescription {
  const parts: string[] = [];
  const lists: AuditList[] = [];
  for (const [key, value] of Object.entries(detail)) {
    if (Array.isArray(value) && value.length > INLINE_ITEMS) {
      lists.push({ label: `${value.length} ${words(key)}`, items: value.map(plainValue) });
      parts.push(`${value.length} ${words(key)}`);
    } else if (Array.isArray(value)) {
      parts.push(`${words(key)}: ${value.length ? plainValue(value) : 'none'}`);
    } else {
      parts.push(`${words(key)} ${plainValue(value)}`);
    }
  }
  return { sentence: parts.length ? `${capitalise(parts.join(', '))}.` : '', lists };
}
