import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { recordAudit } from '../project/repos/audit-repo';
import { HeadsRepo } from '../project/repos/heads-repo';
import type { StoredTask } from '../project/repos/tasks-repo';
import { HistoError } from '../errors';
import { describePairedDifference, type PairedDifference } from '../../../src-shared/domain/paired-difference';
import { crossValidate, type CrossValidationResult } from '../heads/evaluate';
import { learningCurve } from '../heads/learning-curve';
import { parseAugmentation, parseCopies, parseSyntheticWeight, type AugmentationSpec } from '../heads/feature-augmentation';
import { requestedPreprocessing, serializeHead, trainHead, type Head, type HeadKind, type HeadParamsByKind } from '../heads/head';
import type { MetricKey } from '../heads/metrics';
import type { Preprocessing } from '../heads/preprocessing';
import type { Dataset } from '../heads/dataset';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { OodRepo } from '../project/repos/ood-repo';
import { applyPreprocessing } from '../heads/preprocessing';
import { buildOodReference } from '../heads/ood-reference';
import { defaultHeadParams, defaultSearchSpaces } from './default-search-spaces';
import { loadTaskDataset, type GroupBy } from './load-task-dataset';
import { projectEmbeddingStatistics } from './project-statistics';

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
  /** Head preprocessing; default 'auto' (nested CV, or the fixed fallback with few labels). */
  preprocess?: Preprocessing | 'auto';
  /** Views per labelled row: 'all' (default) or a number. */
  copies?: number | 'all';
  /** Loss weight of synthetic rows (default 1). */
  syntheticWeight?: number;
}

type PreparedRequest = Pick<TrainRequest, 'task' | 'backbone' | 'kind' | 'groupBy' | 'augment' | 'params' | 'preprocess' | 'copies' | 'syntheticWeight'>;

/**
 * Everything a training run needs, checked before any work: the augmentation spec, the dataset
 * (with views and project statistics when they are used) and the head parameters. Refuses, with
 * one line and before anything is stored, views that do not exist and standardize-project on a
 * backbone without stored embeddings.
 */
function prepareTraining(store: ProjectStore, request: PreparedRequest) {
  const parsed = parseAugmentation(request.augment);
  const spec: AugmentationSpec | null = parsed ? { ...parsed, copies: parseCopies(request.copies), syntheticWeight: parseSyntheticWeight(request.syntheticWeight) } : null;
  const params = { ...defaultHeadParams[request.kind], ...request.params } as HeadParamsByKind[HeadKind] & { preprocess?: Preprocessing | 'auto' };
  if (request.preprocess !== undefined) params.preprocess = request.preprocess;
  const requested = requestedPreprocessing(request.kind, params);
  if (requested === 'standardize-project' && new EmbeddingsRepo(store.db).count(request.backbone.id) === 0) {
    throw new HistoError('BAD_INPUT', `preprocess standardize-project: backbone '${request.backbone.name}' has no stored embeddings in this project; embed tiles first (or choose none, l2, standardize or auto)`);
  }
  const withViews = spec?.methods.includes('views') ?? false;
  const { dataset, missing } = loadTaskDataset(store, request.task, request.backbone, { groupBy: request.groupBy, withViews });
  if (withViews && !dataset.views?.n) {
    const problem = `backbone '${request.backbone.name}' has no augmented views of these tiles`;
    throw new HistoError('BAD_INPUT', `Stored-views augmentation: ${problem}; extract them in Backbones → Extract embeddings with Views set to D4 or Stain, or untick "Stored views"`, {
      cli: `--augment views: ${problem}; embed them with --views d4 (or stain) first`,
    });
  }
  let projectRows = 0;
  if (requested === 'auto' || requested === 'standardize-project') {
    const found = projectEmbeddingStatistics(store, request.backbone);
    if (found) {
      dataset.projectStats = found.stats;
      projectRows = found.rows;
    }
  }
  return { dataset, missing, spec, params, requested, projectRows };
}

/** What the summary, UI and audit log say about the preprocessing: asked, chosen, and how. */
function preprocessingReport(requested: Preprocessing | 'auto', head: Head, folds: string[], projectRows: number, dataset: Dataset) {
  const how = head.selection ? head.selection.reason : `${head.preprocess} as requested`;
  return {
    requested,
    chosen: head.preprocess,
    how,
    ...(head.selection ? { selection: head.selection } : {}),
    ...(folds.length ? { perFold: folds } : {}),
    statistics:
      head.preprocess === 'standardize-project'
        ? `label-free mean/std of ${projectRows} stored view-0 embeddings of the backbone`
        : head.preprocess === 'standardize'
          ? `mean/std of the ${dataset.n} labelled rows plus their synthetic rows (the rows the model trains on)`
          : 'none',
  };
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
  const { dataset, missing, spec, params, requested, projectRows } = prepareTraining(store, request);
  ctx?.progress(0, request.folds + 1, `cross-validating ${request.kind} on ${dataset.n} tiles`);
  const cv = crossValidate({
    dataset,
    kind: request.kind,
    params,
    folds: request.folds,
    seed: request.seed,
    positive: request.positive,
    augment: spec,
    ...(request.search ? { search: { space: defaultSearchSpaces[request.kind], metric: request.searchMetric ?? 'f1Macro' } } : {}),
  });
  ctx?.throwIfCancelled();
  ctx?.progress(request.folds, request.folds + 1, 'training the final head on all labels');
  const finalParams = consensusParams(cv, params as Record<string, unknown>) as HeadParamsByKind[HeadKind];
  const head = trainHead(request.kind, finalParams, dataset, request.seed, { augment: spec });
  const preprocessing = preprocessingReport(requested, head, cv.folds.map((f) => f.preprocess), projectRows, dataset);
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
      preprocess: f.preprocess,
      ...(f.f1MacroWithout !== undefined ? { f1MacroWithout: f.f1MacroWithout } : {}),
    })),
    confusion: Array.from({ length: cv.confusion.k }, (_, r) => Array.from(cv.confusion.counts.subarray(r * cv.confusion.k, (r + 1) * cv.confusion.k))),
    classes: cv.classes,
    ...(cv.augmentation
      ? {
          augmentation: {
            method: cv.augmentation.method,
            copies: spec?.copies ?? 'all',
            syntheticWeight: spec?.syntheticWeight ?? 1,
            f1MacroWithout: cv.augmentation.f1MacroWithout,
            f1MacroWith: cv.augmentation.f1MacroWith,
            difference: jsonDifference(cv.augmentation.difference),
          },
        }
      : {}),
    preprocessing,
    params: head.params as Record<string, unknown>,
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
  // The training rows as the head sees them: what predicted tiles are measured against.
  const preprocessed = applyPreprocessing({ method: head.preprocess, standardizer: head.standardizer }, dataset.x, dataset.n, dataset.dim);
  const oodReference = dataset.n >= 2 ? buildOodReference(preprocessed, dataset.n, dataset.dim, { seed: request.seed }) : null;
  const headId = store.db.transaction(() => {
    const id = new HeadsRepo(store.db).insert({
      taskId: request.task.id,
      backboneId: request.backbone.id,
      kind: request.kind,
      paramsJson: JSON.stringify(head.params),
      seed: request.seed,
      summaryJson: JSON.stringify(summary),
      trainSeconds: seconds,
      weights: Buffer.from(serializeHead(head)),
    });
    if (oodReference) new OodRepo(store.db).saveReference(id, oodReference);
    recordAudit(
      store.db,
      'train',
      { headId: id, task: request.task.name, kind: request.kind, augment: request.augment, preprocess: head.preprocess, preprocessHow: preprocessing.how, f1Macro: summary.metrics.f1Macro, tiles: dataset.n },
      request.backbone.sha256,
    );
    return id;
  })();
  ctx?.progress(request.folds + 1, request.folds + 1, 'done');
  return { headId, ...summary };
}

/** A paired difference as JSON carries it (NaN mean becomes null), plus its one-line wording. */
function jsonDifference(d: PairedDifference) {
  return { mean: Number.isFinite(d.mean) ? d.mean : null, ciLow: d.ciLow, ciHigh: d.ciHigh, pairs: d.pairs, verdict: d.verdict, text: describePairedDifference(d) };
}

/** "How many labels do I need?": F1 macro against labels per class, with and without augmentation. */
export function taskLearningCurve(
  store: ProjectStore,
  request: Omit<TrainRequest, 'folds' | 'search' | 'searchMetric' | 'positive'> & { labelsPerClass: Array<number | 'all'>; repeats: number },
) {
  const started = performance.now();
  const { dataset, spec, params, requested } = prepareTraining(store, request);
  const points = learningCurve({ dataset, kind: request.kind, params, labelsPerClass: request.labelsPerClass, repeats: request.repeats, seed: request.seed, augment: spec });
  const curve = points.map((p) => ({ ...p, difference: p.difference ? jsonDifference(p.difference) : undefined }));
  return { curve, preprocess: requested, seconds: (performance.now() - started) / 1000 };
}
