import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { planSource, type TilingChoice } from '../../../src-main/core/extraction/extraction-plan';
import { PlannedSources } from '../../../src-main/core/extraction/planned-sources';
import { extractEmbeddings } from '../../../src-main/core/extraction/extract-embeddings';
import type { ExtractionInput } from '../../../src-main/core/extraction/collect-inputs';
import type { PipelineSource } from '../../../src-main/core/extraction/embedding-pipeline';
import type { JobContext } from '../../../src-main/core/jobs/job-registry';
import { HistoError } from '../../../src-main/core/errors';
import { linearEmbedder } from '../../helpers/onnx-models';
import { writeTestSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const choice: TilingChoice = { tileSize: 32, level: 0, minTissue: 0 };

/** Three slides of different sizes (so different fingerprints) in a project with a linear backbone. */
async function setup(widths = [512, 576, 640]) {
  const dir = tempDir();
  const slides: string[] = [];
  for (const [i, width] of widths.entries()) slides.push(await writeTestSlide(dir, `s${i}.tif`, { width, height: 384 }));
  const store = ProjectStore.create(`${dir}/p.histo`);
  const backbone = await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 8, seed: 2, dir }), { name: 'lin' });
  const tilings = () => (store.db.prepare('SELECT count(*) AS n FROM tilings').get() as { n: number }).n;
  const planner = (input: ExtractionInput) => planSource(store, input, choice, backbone.id, [0]);
  return { dir, slides, store, backbone, tilings, planner };
}

const asInputs = (paths: string[]): ExtractionInput[] => paths.map((path) => ({ kind: 'slide', path }));

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sources planned one ahead of the pipeline', () => {
  it("plans the next slide while the current one is embedded, never more than one ahead, in the inputs' order", async () => {
    const { slides, store, tilings, planner } = await setup();
    try {
      const planned = new PlannedSources(asInputs(slides), planner, []);
      const iterator = planned[Symbol.asyncIterator]();
      const seen: PipelineSource[] = [];
      for (let i = 0; i < slides.length; i++) {
        const { value, done } = await iterator.next();
        expect(done).toBe(false);
        seen.push(value as PipelineSource);
        // Held by the consumer: the next slide gets planned meanwhile, and not the one after it.
        const expected = Math.min(slides.length, i + 2);
        await until(() => tilings() === expected);
        await new Promise((r) => setTimeout(r, 100));
        expect(tilings()).toBe(expected);
      }
      expect((await iterator.next()).done).toBe(true);
      expect(seen.map((s) => s.path)).toEqual(slides);
      // 512, 576 and 640 px wide, 384 high, in 32 px tiles.
      expect(seen.map((s) => s.missing.length)).toEqual([192, 216, 240]);
      expect({ slides: planned.slides, tiles: planned.tiles, total: planned.expectedTotal() }).toEqual({ slides: 3, tiles: 648, total: 648 });
    } finally {
      store.close();
    }
  });

  it('estimates the progress total from the planned slides until every slide is planned', async () => {
    const { slides, store, planner } = await setup([512, 512, 512, 512]);
    try {
      const planned = new PlannedSources(asInputs(slides), planner, []);
      const iterator = planned[Symbol.asyncIterator]();
      await iterator.next();
      // One of four planned (192 pairs): three more like it expected.
      expect(planned.expectedTotal()).toBe(4 * 192);
      for (let r = await iterator.next(); !r.done; r = await iterator.next());
      expect(planned.expectedTotal()).toBe(4 * 192);
    } finally {
      store.close();
    }
  });

  it('skips a slide that cannot be planned, naming it, and goes on with the rest', async () => {
    const { dir, slides, store, planner } = await setup();
    try {
      const broken = `${dir}/broken.tif`;
      fs.writeFileSync(broken, 'II*\0garbage');
      const failed: Array<{ path: string; message: string }> = [];
      const planned = new PlannedSources(asInputs([slides[0]!, broken, slides[1]!]), planner, failed);
      const paths: string[] = [];
      for await (const source of planned) paths.push(source.path);
      expect(paths).toEqual([slides[0], slides[1]]);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.message).toContain('broken.tif');
      expect(planned.slides).toBe(2);
    } finally {
      store.close();
    }
  });

  it('ends on cancel only after the slide being planned has settled', async () => {
    const { slides, store, tilings, planner } = await setup();
    try {
      const controller = new AbortController();
      const ctx: JobContext = {
        jobId: 'j',
        signal: controller.signal,
        progress: () => undefined,
        throwIfCancelled: () => {
          if (controller.signal.aborted) throw new HistoError('CANCELLED', 'embed job cancelled');
        },
      };
      let planning = 0;
      let settled = 0;
      const slowPlanner = async (input: ExtractionInput) => {
        planning++;
        try {
          return await planner(input);
        } finally {
          settled++;
        }
      };
      const planned = new PlannedSources(asInputs(slides), slowPlanner, [], ctx);
      const iterator = planned[Symbol.asyncIterator]();
      await iterator.next();
      controller.abort();
      // The second slide was being planned when the cancel came: its plan is kept, the third never starts.
      await expect(iterator.next()).resolves.toMatchObject({ done: false });
      await expect(iterator.next()).rejects.toThrow('cancelled');
      expect(planning).toBe(2);
      expect(settled).toBe(2);
      expect(tilings()).toBe(2);
    } finally {
      store.close();
    }
  });

  it('embeds a folder of slides end to end, its progress total ending exact, and a rerun finds nothing missing', async () => {
    const { slides, store, backbone } = await setup();
    try {
      const base = { backbone, tileSize: 32, level: 0, minTissue: 0, views: 'none' as const, batchSize: 16, dtype: 'float32' as const };
      const events: Array<{ done: number; total: number | null }> = [];
      const ctx: JobContext = { jobId: 'j', signal: new AbortController().signal, progress: (done, total) => events.push({ done, total }), throwIfCancelled: () => undefined };
      const summary = await extractEmbeddings(store, { ...base, paths: slides }, ctx);
      expect(summary).toMatchObject({ slides: 3, tiles: 648, embedded: 648, failed: [] });
      expect(events.at(-1)).toEqual({ done: 648, total: 648 });
      // The total never falls below what is done.
      for (const e of events) if (e.total !== null) expect(e.done).toBeLessThanOrEqual(e.total);
      const again = await extractEmbeddings(store, { ...base, paths: slides });
      expect(again).toMatchObject({ slides: 3, tiles: 648, embedded: 0 });
    } finally {
      store.close();
    }
  });
});
