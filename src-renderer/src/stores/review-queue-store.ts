import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { MethodInput, ReviewItem } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { usePredictionsStore } from './predictions-store';

export type ReviewMode = MethodInput<'review.queue'>['mode'];
export type ReviewDecision = MethodInput<'review.decide'>['decision'];

/** Tiles shown in the gallery at once. */
export const QUEUE_LIMIT = 48;

/**
 * The tiles to review on the selected slide (top-scoring or most uncertain), the cursor the
 * keyboard moves, and the decisions, which become labels of the head's task. Follows the
 * predictions store: another head, another slide or fresh predictions reload the queue.
 */
export const useReviewQueueStore = defineStore('review-queue', () => {
  const predictions = usePredictionsStore();
  const mode = ref<ReviewMode>('top');
  const queue = ref<ReviewItem[]>([]);
  const cursor = ref(0);
  const queueLoading = ref(false);
  const queueError = ref<HistoCallError | null>(null);
  const deciding = ref(false);
  const decideError = ref<HistoCallError | null>(null);

  const current = computed(() => queue.value[cursor.value] ?? null);
  /** Tiles decided in this session, latest last: what Undo takes back, one at a time. */
  const undoable = ref<number[]>([]);
  const canUndo = computed(() => undoable.value.length > 0 && !deciding.value);

  watch(
    () => [predictions.headId, predictions.selectedSlideId, predictions.refreshed] as const,
    ([headId], [previousHead]) => {
      if (headId !== previousHead) {
        queueError.value = null;
        decideError.value = null;
        undoable.value = [];
      }
      void loadQueue();
    },
  );

  function setMode(next: ReviewMode): void {
    if (mode.value === next) return;
    mode.value = next;
    void loadQueue();
  }

  let queueRequest = 0;
  /** The gallery of the selected slide: decided tiles stay in it, showing their verdict. */
  async function loadQueue(): Promise<void> {
    const id = predictions.headId;
    const slideId = predictions.selectedSlideId;
    const request = ++queueRequest;
    if (id === null || slideId === null) {
      queue.value = [];
      cursor.value = 0;
      return;
    }
    queueLoading.value = true;
    try {
      const items = await call('review.queue', { head: id, mode: mode.value, slideId, limit: QUEUE_LIMIT, includeDecided: true, threshold: predictions.threshold, ...predictions.focusInput() });
      if (request !== queueRequest) return;
      queue.value = items;
      const firstOpen = items.findIndex((item) => item.decision === null);
      cursor.value = firstOpen === -1 ? 0 : firstOpen;
      queueError.value = null;
    } catch (err) {
      if (request === queueRequest) queueError.value = toCallError(err, 'review.queue');
    } finally {
      if (request === queueRequest) queueLoading.value = false;
    }
  }

  function moveTo(index: number): void {
    if (queue.value.length === 0) return;
    cursor.value = Math.max(0, Math.min(queue.value.length - 1, index));
  }

  function move(delta: number): void {
    moveTo(cursor.value + delta);
  }

  function replaceItem(tileId: number, update: Partial<ReviewItem>): void {
    const index = queue.value.findIndex((q) => q.tileId === tileId);
    if (index !== -1) queue.value.splice(index, 1, { ...queue.value[index]!, ...update });
  }

  /** Decisions in flight, sent one after another so fast keystrokes keep their order and none is lost. */
  let sending: Promise<unknown> = Promise.resolve();
  let inFlight = 0;

  /**
   * Sends one decision or undo after those before it; `apply` takes the core's answer while the
   * head is still the one reviewed, `refused` puts the tile back when the core says no.
   */
  function send<T>(id: number, request: () => Promise<T>, apply: (result: T) => void, refused: (err: unknown) => void): Promise<boolean> {
    inFlight++;
    deciding.value = true;
    const sent = sending.then(async () => {
      try {
        const result = await request();
        if (predictions.headId !== id) return false;
        apply(result);
        decideError.value = null;
        return true;
      } catch (err) {
        if (predictions.headId === id) refused(err);
        return false;
      } finally {
        if (--inFlight === 0) {
          deciding.value = false;
          void predictions.loadProgress();
        }
      }
    });
    sending = sent;
    return sent;
  }

  /**
   * Records a decision on the tile under the cursor (accept, reject, or relabel to a class) and
   * moves on to the next tile at once; the verdict shows straight away and is taken back if the
   * core refuses it. From then on the decision is a label of the head's task.
   */
  function decide(decision: ReviewDecision, className?: string): Promise<boolean> {
    const id = predictions.headId;
    const item = current.value;
    if (id === null || !item) return Promise.resolve(false);
    // Relabelling to the class the head predicted agrees with it: the core stores it as an accept.
    if (decision === 'relabel' && className === item.predicted) decision = 'accept';
    const before = { decision: item.decision, label: item.label };
    // The label the core will give the tile (its rule, in review.ts), shown before it answers.
    const classes = predictions.head?.classes ?? [];
    const other = classes.length === 2 ? (classes.find((c) => c !== item.predicted) ?? null) : item.label;
    replaceItem(item.tileId, { decision, label: decision === 'relabel' ? (className ?? null) : decision === 'accept' ? item.predicted : other });
    if (queue.value[cursor.value]?.tileId === item.tileId) moveTo(cursor.value + 1);
    const input: MethodInput<'review.decide'> = { head: id, tileId: item.tileId, decision };
    if (className !== undefined) input.className = className;
    return send(
      id,
      () => call('review.decide', input),
      (result) => {
        replaceItem(item.tileId, { decision, label: result.label });
        if (result.label !== null) predictions.recordLabel({ tileId: item.tileId, probs: item.probs, label: result.label });
        undoable.value = [...undoable.value.filter((t) => t !== item.tileId), item.tileId];
      },
      (err) => {
        replaceItem(item.tileId, before);
        decideError.value = toCallError(err, 'review.decide');
      },
    );
  }

  /**
   * Takes back the latest decision of this session: the tile gets its earlier decision and label
   * back (or none), and the cursor returns to it when it is in the gallery.
   */
  function undo(): Promise<boolean> {
    const id = predictions.headId;
    const tileId = undoable.value.at(-1);
    if (id === null || tileId === undefined) return Promise.resolve(false);
    undoable.value = undoable.value.slice(0, -1);
    return send(
      id,
      () => call('review.undo', { head: id, tileId }),
      (result) => {
        replaceItem(tileId, { decision: result.decision, label: result.label });
        const index = queue.value.findIndex((q) => q.tileId === tileId);
        if (index === -1) return;
        moveTo(index);
        predictions.recordLabel({ tileId, probs: queue.value[index]!.probs, label: result.label });
      },
      (err) => (decideError.value = toCallError(err, 'review.undo')),
    );
  }

  return { mode, queue, cursor, current, queueLoading, queueError, deciding, decideError, canUndo, setMode, loadQueue, moveTo, move, decide, undo };
});
