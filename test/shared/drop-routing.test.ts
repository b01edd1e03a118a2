import { describe, expect, it } from 'vitest';
import { plannedCount, routeDrop } from '../../src-shared/domain/drop-routing';
import { fileKindOf } from '../../src-shared/domain/file-kinds';

describe('drop routing', () => {
  it('sends each file to the import its extension needs', () => {
    const plan = routeDrop([
      { path: '/d/a.svs', entry: 'file' },
      { path: '/d/b.OME.TIFF', entry: 'file' },
      { path: '/d/uni.onnx', entry: 'file', siblings: ['uni.onnx', 'uni.json'] },
      { path: '/d/tumour.geojson', entry: 'file' },
      { path: '/d/labels.csv', entry: 'file' },
      { path: '/d/regions.xml', entry: 'file' },
      { path: '/d/study.histo', entry: 'file' },
      { path: '/d/notes.docx', entry: 'file' },
    ]);
    expect(plan.slides).toEqual(['/d/a.svs', '/d/b.OME.TIFF']);
    expect(plan.backbones).toEqual(['/d/uni.onnx']);
    expect(plan.labels).toEqual(['/d/tumour.geojson', '/d/labels.csv', '/d/regions.xml']);
    expect(plan.projects).toEqual(['/d/study.histo']);
    expect(plan.refused).toEqual([{ path: '/d/notes.docx', reason: expect.stringMatching(/^notes\.docx: not a slide/) }]);
    expect(plannedCount(plan)).toBe(7);
  });

  it('routes folders by content: patch class folders, slides, or nothing importable', () => {
    const plan = routeDrop([
      { path: '/d/patches', entry: 'folder', content: 'patches' },
      { path: 'C:\\scans\\case1', entry: 'folder', content: 'slides' },
      { path: '/d/empty', entry: 'folder', content: 'none' },
    ]);
    expect(plan.patchFolders).toEqual(['/d/patches']);
    expect(plan.slides).toEqual(['C:\\scans\\case1']);
    expect(plan.refused[0]).toEqual({ path: '/d/empty', reason: expect.stringMatching(/^empty: no slides/) });
  });

  it('refuses missing and special paths, duplicates once, and a second project', () => {
    const plan = routeDrop([
      { path: '/gone.svs', entry: 'missing' },
      { path: '/dev/null', entry: 'special' },
      { path: '/a.histo', entry: 'file' },
      { path: '/a.histo', entry: 'file' },
      { path: '/b.histo', entry: 'file' },
    ]);
    expect(plan.projects).toEqual(['/a.histo']);
    expect(plan.refused.map((r) => r.reason)).toEqual(['gone.svs: no such file or folder', 'null: not a regular file or folder', 'b.histo: one project opens at a time']);
  });

  it("does not take a backbone's JSON sidecar for a label file", () => {
    expect(fileKindOf('uni.json', ['uni.onnx', 'uni.json'])).toBeNull();
    expect(fileKindOf('uni.json', ['other.onnx'])).toBe('labels');
    expect(fileKindOf('.svs')).toBeNull();
    expect(fileKindOf('README')).toBeNull();
  });
});
