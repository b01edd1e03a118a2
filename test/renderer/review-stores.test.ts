import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HeadListing, JobOutcome, MethodInput, ReviewItem } from '../../src-shared/contract';
import { installBridge } from '../../src-renderer/src/api/histo-api';
import { operatingPointAt, usePredictionsStore } from '../../src-renderer/src/stores/predictions-store';
import { useReviewQueueStore } from '../../src-renderer/src/stores/review-queue-store';
import { InMemoryBridge, jobEvent, projectSummary } from './in-memory-bridge';

const head: HeadListing = {
  id: 4,
  task: 'tumour',
  taskId: 1,
  backbone: 'lin',
  backboneId: 2,
  kind: 'logreg',
  params: {},
  seed: 0,
  metrics: { f1Macro: 0.97 },
  metricsStd: {},
  classes: ['stroma', 'tumour'],
  trainSeconds: 0.4,
  createdAt: '2025-01-02T10:00:00.000Z',
};

function item(tileId: number, score: number, label: string | null = null): ReviewItem {
  return { tileId, slideId: 1, path: '/s/a.tif', x: tileId * 32, y: 0, width: 32, height: 32, predicted: score >= 0.5 ? 'tumour' : 'stroma', score, probs: [1 - score, score], decision: null, label, ood: null };
}

/** predict.slides as the core answers it: p(tumour) of the four tiles, or p(stroma) with focus 'stroma' (default threshold 0.5). */
const summary = (threshold: number | undefined, focus: string | null = 'tumour') => {
  const own = focus === 'tumour' ? 0.55 : 0.5;
  const cut = threshold ?? own;
  const scores = [0.9, 0.6, 0.3, 0.1].map((p) => (focus === 'tumour' ? p : focus === 'stroma' ? 1 - p : Math.max(p, 1 - p)));
  return {
    classes: ['stroma', 'tumour'],
    positive: 'tumour',
    focus,
    threshold: cut,
    defaultThreshold: own,
    detection: false,
    slides: [
      { slideId: 1, path: '/s/a.tif', width: 512, height: 256, tiles: 4, positive: scores.filter((s) => s >= cut).length, fraction: 0.5, max: 0.9, mean: 0.48, meanTopK: 0.48, positivesPerMm2: null, perClass: { stroma: 2, tumour: 2 } },
    ],
  };
};

/** A stored head's summary as head.get returns it: the training store reads it, the predictions store its curves. */
const storedSummary = {
  kind: 'logreg',
  task: 'tumour',
  backbone: 'lin',
  metrics: { f1Macro: 0.97 },
  metricsStd: {},
  folds: [],
  confusion: [],
  classes: ['stroma', 'tumour'],
  params: {},
  seed: 0,
  curves: { class: 'tumour', roc: [[0, 0], [1, 1]] as Array<[number, number]>, pr: [[0, 1], [1, 0.5]] as Array<[number, number]>, bestThreshold: { threshold: 0.55, f1: 0.9, precision: 1, recall: 0.8 } },
  data: { tiles: 4, perClass: { stroma: 2, tumour: 2 }, groups: 1, augmentedViews: 0, missingEmbeddings: 0 },
  messages: [],
  seconds: 0.4,
};

/** Both review stores, as the Review view uses them. */
function reviewStores() {
  return { review: usePredictionsStore(), queue: useReviewQueueStore() };
}

let bridge: InMemoryBridge;
let predicted: boolean;
let decisions: Array<MethodInput<'review.decide'>>;
const tiles = [item(1, 0.9, 'tumour'), item(2, 0.6), item(3, 0.3, 'tumour'), item(4, 0.1, 'stroma')];

beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new InMemoryBridge();
  predicted = false;
  decisions = [];
  bridge
    .handle('project.current', () => projectSummary('/data/study.histo'))
    .handle('head.list', () => [head])
    .handle('head.get', () => ({ listing: head, summary: storedSummary }))
    .handle('predict.slides', (input) => {
      const { threshold, focus } = input as { threshold?: number; focus?: string | null };
      const answer = summary(threshold, focus === undefined ? 'tumour' : focus);
      return predicted ? answer : { ...answer, slides: [] };
    })
    .handle('review.progress', () => (predicted ? [{ slideId: 1, path: '/s/a.tif', predicted: 4, reviewed: decisions.length, accepted: 0, rejected: 0, relabelled: 0 }] : []))
    .handle('review.queue', () => (predicted ? tiles.map((t) => ({ ...t })) : []))
    .handle('predict.start', () => ({ jobId: 'predict-1' }))
    .handle('job.result', (): JobOutcome => ({ jobId: 'predict-1', kind: 'predict', state: 'done', result: { head: { id: 1, kind: 'logreg', task: 'tumour', classes: ['stroma', 'tumour'], positive: 'tumour', threshold: 0.55, backbone: 'lin', backboneSha256: 'ab12', metrics: {} }, slides: [], failed: [], seconds: 0.1 }, error: null }))
    .handle('review.undo', (input) => {
      const { tileId } = input as { tileId: number };
      return { tileId, decision: null, label: tiles.find((t) => t.tileId === tileId)!.label };
    })
    .handle('review.decide', (input) => {
      const request = input as MethodInput<'review.decide'>;
      decisions.push(request);
      if (request.tileId === 3) throw { code: 'NOT_FOUND', message: 'head 4 has no prediction for tile 3' };
      return { tileId: request.tileId, decision: request.decision, label: request.decision === 'relabel' ? request.className! : request.decision === 'accept' ? 'tumour' : 'stroma' };
    });
  installBridge(bridge);
});

describe('operatingPointAt', () => {
  it('measures precision and recall of a threshold on labelled tiles', () => {
    const labelled = [
      { score: 0.9, label: 'tumour' },
      { score: 0.7, label: 'stroma' },
      { score: 0.4, label: 'tumour' },
      { score: 0.1, label: 'stroma' },
    ];
    expect(operatingPointAt(labelled, 'tumour', 0.5)).toEqual({ threshold: 0.5, precision: 0.5, recall: 0.5, tiles: 4 });
    expect(operatingPointAt(labelled, 'tumour', 0)).toMatchObject({ precision: 0.5, recall: 1 });
    expect(operatingPointAt(labelled, 'tumour', 0.95)).toMatchObject({ precision: null, recall: 0 });
  });
});

describe('predictions and review-queue stores', () => {
  it('picks a head, predicts as a job, then loads summaries, progress, gallery and labelled tiles', async () => {
    const { review, queue } = reviewStores();
    await review.loadHeads();
    expect(review.head).toBeNull();
    await review.selectHead(4);
    // The head and its curves are read through the training store.
    expect(review.head?.classes).toEqual(['stroma', 'tumour']);
    expect(review.curves?.bestThreshold?.threshold).toBe(0.55);
    expect(review.predicted?.slides).toEqual([]);
    expect(review.threshold).toBe(0.55);

    predicted = true;
    expect(await review.predict(['/s/a.tif'])).toBe('predict-1');
    expect(bridge.calls.find((c) => c.method === 'predict.start')?.input).toEqual({ head: 4, paths: ['/s/a.tif'] });
    bridge.emit('job.progress', jobEvent('predict-1', { kind: 'predict', state: 'done' }));
    await expect.poll(() => review.predicted?.slides.length).toBe(1);
    await expect.poll(() => queue.queue.length).toBe(4);
    expect(review.run).toMatchObject({ state: 'done', failed: [] });
    expect(review.heatmapVersion).toBe(1);
    expect(review.selectedSlideId).toBe(1);
    expect(review.totals).toEqual({ reviewed: 0, tiles: 4 });
    // Tiles 1, 3 and 4 are labelled: at 0.55 only tile 1 is called tumour, tile 3 is missed.
    expect(review.operatingPoint).toEqual({ threshold: 0.55, precision: 1, recall: 0.5, tiles: 3 });
  });

  it('re-summarises at a new threshold and keeps only the answer to the latest move', async () => {
    predicted = true;
    const { review } = reviewStores();
    await review.loadHeads();
    await review.selectHead(4);
    await Promise.all([review.setThreshold(0.05), review.setThreshold(0.2)]);
    expect(review.threshold).toBe(0.2);
    expect(review.predicted?.threshold).toBe(0.2);
    expect(review.predicted?.slides[0]?.positive).toBe(3);
    // Tile 3 (tumour, 0.3) is found now: recall rises from 0.5 to 1.
    expect(review.operatingPoint).toMatchObject({ precision: 1, recall: 1 });
    expect(bridge.calls.filter((c) => c.method === 'predict.slides').at(-1)?.input).toEqual({ head: 4, threshold: 0.2, focus: 'tumour' });
  });

  it('decides on the tile under the cursor, moves on, and takes a refused verdict back', async () => {
    predicted = true;
    const { review, queue } = reviewStores();
    await review.loadHeads();
    await review.selectHead(4);
    await expect.poll(() => queue.queue.length).toBe(4);
    expect(queue.cursor).toBe(0);

    const accepted = queue.decide('accept');
    // The verdict shows and the cursor moves before the core answers.
    expect(queue.queue[0]).toMatchObject({ decision: 'accept', label: 'tumour' });
    expect(queue.cursor).toBe(1);
    const relabelled = queue.decide('relabel', 'stroma');
    expect(await accepted).toBe(true);
    expect(await relabelled).toBe(true);
    expect(decisions.map((d) => [d.tileId, d.decision, d.className])).toEqual([
      [1, 'accept', undefined],
      [2, 'relabel', 'stroma'],
    ]);
    expect(queue.queue[1]).toMatchObject({ decision: 'relabel', label: 'stroma' });
    await expect.poll(() => review.totals.reviewed).toBe(2);
    // The new label counts in the operating point.
    expect(review.labelled.find((t) => t.tileId === 2)).toEqual({ tileId: 2, probs: [0.4, 0.6], label: 'stroma' });

    expect(await queue.decide('reject')).toBe(false);
    expect(queue.queue[2]).toMatchObject({ decision: null, label: 'tumour' });
    expect(queue.decideError?.message).toContain('no prediction for tile 3');

    queue.move(-10);
    expect(queue.cursor).toBe(0);
    queue.move(99);
    expect(queue.cursor).toBe(3);
  });

  it('exports at the current threshold', async () => {
    predicted = true;
    bridge.handle('predict.export', (input) => ({ files: [(input as { csv: string }).csv] }));
    const { review } = reviewStores();
    await review.loadHeads();
    await review.selectHead(4);
    await review.setThreshold(0.3);
    expect(await review.exportPredictions({ csv: '/out/tiles.csv', merge: false })).toEqual({ files: ['/out/tiles.csv'] });
    expect(bridge.calls.find((c) => c.method === 'predict.export')?.input).toEqual({ csv: '/out/tiles.csv', merge: false, head: 4, threshold: 0.3, focus: 'tumour' });
  });

  it('moves threshold, operating point, PR curve, gallery and exports together to another class of interest', async () => {
    predicted = true;
    bridge.handle('predict.export', (input) => ({ files: [(input as { csv: string }).csv] }));
    const { review, queue } = reviewStores();
    await review.loadHeads();
    await review.selectHead(4);
    await expect.poll(() => queue.queue.length).toBe(4);
    expect(review.focus).toBe('tumour');
    expect(review.focusHasCvCurve).toBe(true);
    const queueCalls = () => bridge.calls.filter((c) => c.method === 'review.queue').length;
    const before = queueCalls();

    await review.setFocus('stroma');
    // The focus's own threshold (0.5, CV measured tumour only), its counts, and its labelled-tile PR curve.
    expect(review.threshold).toBe(0.5);
    expect(review.predicted?.focus).toBe('stroma');
    expect(review.predicted?.slides[0]?.positive).toBe(2);
    expect(review.focusHasCvCurve).toBe(false);
    // Labelled: tile 1 tumour (p stroma 0.1), tile 3 tumour (0.7), tile 4 stroma (0.9): at 0.5, tiles 3 and 4 are called stroma.
    expect(review.operatingPoint).toEqual({ threshold: 0.5, precision: 0.5, recall: 1, tiles: 3 });
    expect(review.labelledCurve.length).toBeGreaterThan(0);
    await expect.poll(queueCalls).toBeGreaterThan(before);
    expect(bridge.calls.filter((c) => c.method === 'review.queue').at(-1)?.input).toMatchObject({ focus: 'stroma' });
    await review.exportPredictions({ csv: '/out/tiles.csv', merge: false });
    expect(bridge.calls.find((c) => c.method === 'predict.export')?.input).toMatchObject({ threshold: 0.5, focus: 'stroma' });

    await review.setFocus(null);
    expect(review.predicted?.focus).toBeNull();
    expect(review.focusIndex).toBeNull();
    // All classes: each tile is called when its top class is at least 0.5 likely, right when the label agrees.
    expect(review.operatingPoint).toMatchObject({ precision: 2 / 3, recall: 1 });
  });

  it('stores a relabel to the predicted class as an accept, and undoes the latest decision', async () => {
    predicted = true;
    const { review, queue } = reviewStores();
    await review.loadHeads();
    await review.selectHead(4);
    await expect.poll(() => queue.queue.length).toBe(4);
    expect(queue.canUndo).toBe(false);
    queue.moveTo(1);
    expect(await queue.decide('relabel', 'tumour')).toBe(true);
    expect(decisions.at(-1)).toMatchObject({ tileId: 2, decision: 'accept' });
    expect(queue.queue[1]).toMatchObject({ decision: 'accept', label: 'tumour' });
    expect(queue.canUndo).toBe(true);

    expect(await queue.undo()).toBe(true);
    expect(bridge.calls.find((c) => c.method === 'review.undo')?.input).toEqual({ head: 4, tileId: 2 });
    expect(queue.queue[1]).toMatchObject({ decision: null, label: null });
    expect(queue.cursor).toBe(1);
    expect(review.labelled.some((t) => t.tileId === 2)).toBe(false);
    expect(queue.canUndo).toBe(false);
  });
});
