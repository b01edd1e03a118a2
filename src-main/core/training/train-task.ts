import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { recordAudit } from '../project/audit-log';
import type { StoredTask } from '../labels/tasks-repo';
import { HistoError } from '../errors';
import { crossValidate, type CrossValidationResult } from '../heads/evaluate';
import { learningCurve, type LearningCurvePoint } from '../heads/learning-curve';
import { parseAugmentation } from '../heads/feature-augmentation';
import { serializeHead, trainHead, type HeadKind, type HeadParamsByKind } from '../heads/head';
import type { MetricKey } from '../heads/metrics';
import { defaultHeadParams, defaultSearchSpaces } from './default-search-spaces';
import { loadTaskDataset, type GroupBy } from './load-task-dataset';

export interface TrainRequest {
  task: StoredTask;
  backbone: StoredBackbone;
  kind: HeadKind;
  folds: number;
  groupBy: GroupBy;
  augment: string;
  search: boolean;
  searchMetric?: MetricKey;
  positive?: string;
  seed: number;
  params?: Record<string, unknown>;
}

const metricNames = ['f1', 'f1Macro', 'precision', 'recall', 'balancedAccuracy', 'rocAuc', 'prAuc', 'accuracy'] as const;
type Metrics = Record<(typeof metricNames)[number], number | null>;

/** Metrics as JSON can carry them: NaN (an AUC with one class in a fold) becomes null. */
function jsonMetrics(metrics: Record<string, number>): Metrics {
  return Object.fromEntries(metricNames.map((k) => [k, Number.isFinite(metrics[k]) ? metrics[k]! : null])) as Metrics;
}

/**
 * Curve points for plotting, thinned to about `max`: [x, y, threshold] (the score threshold that
 * gives the point, null where the curve has none), so a UI can place any operating point on it.
 */
function curvePoints(xs: Float64Array, ys: Float64Array, thresholds: Float64Array, max = 200): Array<[number, number, number | null]> {
  const step = Math.max(1, Math.ceil(xs.length / max));
  const at = (i: number): [number, number, number | null] => [xs[i]!, ys[i]!, Number.isFinite(thresholds[i]) ? thresholds[i]! : null];
  const points: Array<[number, number, number | null]> = [];
  for (let i = 0; i < xs.length; i += step) points.push(at(i));
  if (xs.length && (xs.length - 1) % step !== 0) points.push(at(xs.length - 1));
  return points;
}

/** The parameters the search chose most often across folds: what the stored head is trained with. */
function consensusParams(result: CrossValidationResult, base: Record<string, unknown>): Record<string, unknown> {
  const chosen = result.search?.chosen ?? [];
  if (chosen.length === 0) return base;
  const votes = new Map<string, { params: Record<string, unknown>; n: number }>();
  for (const params of chosen) {
    const key = JSON.stringify(params);
    votes.set(key, { params, n: (votes.get(key)?.n ?? 0) + 1 });
  }
  return { ...base, ...[...votes.values()].sort((a, b) => b.n - a.n)[0]!.params };
}

/**
 * Cross-validates a head on a task's labelled embeddings (grouped folds, optional search and
 * feature-space augmentation), then trains the head on every labelled tile and stores it with its
 * metrics, parameters, seed and training time.
 */
export function trainTask(store: ProjectStore, request: TrainRequest, ctx?: JobContext) {
  const started = performance.now();
  const augmentation = parseAugmentation(request.augment);
  const { dataset, missing } = loadTaskDataset(store, request.task, request.backbone, {
    groupBy: request.groupBy,
    withViews: augmentation?.methods.includes('views') ?? false,
  });
  if (augmentation?.methods.includes('views') && !dataset.views?.n) {
    throw new HistoError('BAD_INPUT', `--augment views: backbone '${request.backbone.name}' has no augmented views of these tiles; embed them with --views d4 (or stain) first`);
  }
  const params = { ...defaultHeadParams[request.kind], ...request.params } as HeadParamsByKind[HeadKind];
  ctx?.progress(0, request.folds + 1, `cross-validating ${request.kind} on ${dataset.n} tiles`);
  const cv = crossValidate({
    dataset,
    kind: request.kind,
    params,
    folds: request.folds,
    seed: request.seed,
    positive: request.positive,
    augment: request.augment,
    ...(request.search ? { search: { space: defaultSearchSpaces[request.kind], metric: request.searchMetric ?? 'f1Macro' } } : {}),
  });
  ctx?.throwIfCancelled();
  ctx?.progress(request.folds, request.folds + 1, 'training the final head on all labels');
  const finalParams = consensusParams(cv, params as Record<string, unknown>) as HeadParamsByKind[HeadKind];
  const head = trainHead(request.kind, finalParams, dataset, request.seed, { augment: request.augment });
  const seconds = (performance.now() - started) / 1000;

  const perClass = Object.fromEntries(dataset.classes.map((c, i) => [c, dataset.y.filter((v) => v === i).length]));
  const summary = {
    kind: request.kind,
    task: request.task.name,
    backbone: request.backbone.name,
    metrics: jsonMetrics(cv.metrics as unknown as Record<string, number>),
    metricsStd: jsonMetrics(cv.metricsStd as unknown as Record<string, number>),
    folds: cv.folds.map((f) => ({
      fold: f.fold,
      trainRows: f.trainRows,
      testRows: f.testRows,
      metrics: jsonMetrics(f.metrics as unknown as Record<string, number>),
      params: f.params,
      ...(f.f1MacroWithout !== undefined ? { f1MacroWithout: f.f1MacroWithout } : {}),
    })),
    confusion: Array.from({ length: cv.confusion.k }, (_, r) => Array.from(cv.confusion.counts.subarray(r * cv.confusion.k, (r + 1) * cv.confusion.k))),
    classes: cv.classes,
    ...(cv.augmentation ? { augmentation: { method: cv.augmentation.method, f1MacroWithout: cv.augmentation.f1MacroWithout, f1MacroWith: cv.augmentation.f1MacroWith } } : {}),
    params: finalParams as Record<string, unknown>,
    seed: request.seed,
    curves: {
      class: cv.curveClass,
      roc: curvePoints(cv.rocCurve.fpr, cv.rocCurve.tpr, cv.rocCurve.thresholds),
      pr: curvePoints(cv.prCurve.recall, cv.prCurve.precision, cv.prCurve.thresholds),
      ...(cv.bestThreshold && Number.isFinite(cv.bestThreshold.threshold) ? { bestThreshold: cv.bestThreshold } : {}),
    },
    data: { tiles: dataset.n, perClass, groups: new Set(dataset.groups).size, augmentedViews: dataset.views?.n ?? 0, missingEmbeddings: missing },
    messages: cv.messages,
    seconds,
  };
  const headId = store.db.transaction(() => {
    const inserted = store.db
      .prepare('INSERT INTO heads (task_id, backbone_id, kind, params_json, seed, metrics_json, train_seconds, weights, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(request.task.id, request.backbone.id, request.kind, JSON.stringify(finalParams), request.seed, JSON.stringify(summary), seconds, Buffer.from(serializeHead(head)), new Date().toISOString());
    const id = Number(inserted.lastInsertRowid);
    recordAudit(store.db, 'train', { headId: id, task: request.task.name, kind: request.kind, augment: request.augment, f1Macro: summary.metrics.f1Macro, tiles: dataset.n }, request.backbone.sha256);
    return id;
  })();
  ctx?.progress(request.folds + 1, request.folds + 1, 'done');
  return { headId, ...summary };
}

export type TrainSummary = ReturnType<typeof trainTask>;

/** "How many labels do I need?": F1 macro against labels per class, with and without augmentation. */
export function taskLearningCurve(
  store: ProjectStore,
  request: Omit<TrainRequest, 'folds' | 'search' | 'searchMetric' | 'positive'> & { labelsPerClass: Array<number | 'all'>; repeats: number },
): { curve: LearningCurvePoint[]; seconds: number } {
  const started = performance.now();
  const augmentation = parseAugmentation(request.augment);
  const { dataset } = loadTaskDataset(store, request.task, request.backbone, { groupBy: request.groupBy, withViews: augmentation?.methods.includes('views') ?? false });
  const params = { ...defaultHeadParams[request.kind], ...request.params } as HeadParamsByKind[HeadKind];
  const curve = learningCurve({ dataset, kind: request.kind, params, labelsPerClass: request.labelsPerClass, repeats: request.repeats, seed: request.seed, augment: request.augment });
  return { curve, seconds: (performance.now() - started) / 1000 };
}
