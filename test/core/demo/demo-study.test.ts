import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DemoSummary, MethodInput, MethodName, MethodOutput } from '../../../src-shared/contract';
import { HistoCore } from '../../../src-main/core/histo-core';
import { DEMO_COMPLETE_MARKER, demoResources } from '../../../src-main/core/demo/build-demo';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

async function call<M extends MethodName>(core: HistoCore, method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const envelope = await core.dispatch(method, input);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.result as MethodOutput<M>;
}

/**
 * "Open the demo study": offline, from the shipped slide and labels and the bundled backbone, it
 * builds a project where every view has data (slides, embeddings, a labelled task, a trained head,
 * predictions to review, a map, an audit trail), and opens it; a second time it opens what is there.
 */
describe('the demo study', () => {
  it('ships its slide and demonstration labels, marked as not diagnostic', () => {
    const shipped = demoResources();
    expect(fs.statSync(shipped.slide).size).toBeGreaterThan(1_000_000);
    const geojson = JSON.parse(fs.readFileSync(shipped.annotations, 'utf8'));
    expect(geojson.name).toMatch(/demonstration only, not diagnostic/);
    expect(geojson.features.every((f: any) => f.properties.note === 'DEMONSTRATION ONLY - NOT DIAGNOSTIC')).toBe(true);
    expect(fs.readFileSync(shipped.readme, 'utf8')).toMatch(/not diagnostic/);
  });

  it('builds a project where every view has data, then opens it again as it is', async () => {
    const home = tempDir();
    const core = new HistoCore({ HISTO_HOME: home });
    try {
      const { jobId } = await call(core, 'demo.open', {});
      // A second request while it builds follows the same build.
      expect((await call(core, 'demo.open', {})).jobId).toBe(jobId);
      const summary = (await core.jobs.resultOf(jobId)) as DemoSummary;
      expect(summary.project).toBe(path.join(home, 'demo', 'demo-study.histo'));
      expect(summary.reused).toBe(false);
      expect((await call(core, 'project.current', {}))?.path).toBe(summary.project);
      expect(fs.existsSync(path.join(home, 'demo', DEMO_COMPLETE_MARKER))).toBe(true);

      const slides = await call(core, 'slide.list', {});
      expect(slides.map((s) => path.basename(s.path))).toEqual(['CMU-1-Small-Region.svs']);
      expect(slides[0]!.mppX).toBeCloseTo(0.499, 3);
      const backbone = (await call(core, 'backbone.list', {})).find((b) => b.name === 'imagenet-mobilenet-v2');
      expect(backbone?.embeddings).toBe(summary.tiles);
      expect(summary.tiles).toBeGreaterThan(100);

      const [task] = await call(core, 'task.list', {});
      expect(task?.name).toBe('demo-skin-layers');
      expect(task?.labels.perClass.dermis).toBeGreaterThan(5);
      expect(task?.labels.perClass.epidermis).toBeGreaterThan(5);

      const heads = await call(core, 'head.list', {});
      expect(heads.map((h) => h.id)).toEqual([summary.headId]);
      // Rough demonstration polygons still separate the two layers well above chance.
      expect(heads[0]!.metrics.f1Macro).toBeGreaterThan(0.6);

      const predicted = await call(core, 'predict.slides', { head: summary.headId });
      expect(predicted.slides).toHaveLength(1);
      expect((await call(core, 'review.queue', { head: summary.headId, mode: 'uncertain' })).length).toBeGreaterThan(0);
      expect((await call(core, 'map.get', { backbone: 'imagenet-mobilenet-v2' }))?.tileIds.length).toBe(summary.tiles);
      expect((await call(core, 'audit.list', {})).length).toBeGreaterThan(3);

      const again = await call(core, 'demo.open', {});
      const reopened = (await core.jobs.resultOf(again.jobId)) as DemoSummary;
      expect(reopened).toMatchObject({ reused: true, headId: summary.headId, tiles: summary.tiles, labels: summary.labels });
    } finally {
      core.close();
    }
  });
});
