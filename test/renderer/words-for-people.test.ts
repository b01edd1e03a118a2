import { describe, expect, it } from 'vitest';
import { auditActionTitle, describeAudit } from '../../src-renderer/src/format/audit-format';
import { jobTitle } from '../../src-renderer/src/format/job-format';

describe('words for people', () => {
  it('names jobs in words, never by their internal kind', () => {
    expect(jobTitle('dataset.import-folder')).toBe('Importing a patch folder');
    expect(jobTitle('predict')).toBe('Predicting slides');
    expect(jobTitle('learning-curve')).toBe('Drawing a learning curve');
    // A kind this build does not know still reads as words.
    expect(jobTitle('slides.index-rebuild')).toBe('Slides index rebuild');
  });

  it('writes an audit entry as a sentence, with a long list set apart to collapse', () => {
    const slides = Array.from({ length: 742 }, (_, i) => `/data/patches/p${i}.png`);
    const described = describeAudit({ headId: 3, slides, threshold: 0.5312345, positive: 'tumour', failed: 0 });
    expect(described.sentence).toBe('Head 3, 742 slides, threshold 0.5312, positive tumour, failed 0.');
    expect(described.lists).toEqual([{ label: '742 slides', items: slides }]);
    expect(auditActionTitle('predict')).toBe('Slides predicted');
    expect(auditActionTitle('dataset.import-folder')).toBe('Patch folder imported');
  });

  it('keeps short lists and nested facts inline, in words', () => {
    const described = describeAudit({ task: 'tissue', perClass: { tumour: 4, stroma: 2 }, files: ['a.csv', 'b.geojson'], withBackbone: true });
    expect(described.sentence).toBe('Task tissue, per class tumour 4, stroma 2, files: a.csv, b.geojson, with backbone yes.');
    expect(described.lists).toEqual([]);
  });
});
