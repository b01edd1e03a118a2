import type { ComparisonUnits } from '../../../src-shared/contract';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { recordAudit } from '../project/repos/audit-repo';
import { TasksRepo, type StoredTask } from '../project/repos/tasks-repo';
import { Embedder } from '../backbones/embedder';
import { floatsPerTile, writeInputTensor } from '../backbones/preprocess';
import { renderView } from '../backbones/augment-views';
import { openSlide } from '../slides/open-slide';
import { crossValidate } from '../heads/evaluate';
import type { HeadKind, HeadParamsByKind } from '../heads/head';
import { createRng, permutation, shuffleInPlace } from '../heads/random';
import { HistoError } from '../errors';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { EmbeddingQueriesRepo } from '../project/repos/embedding-queries-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { ComparisonsRepo } from '../project/repos/comparisons-repo';
import { backboneModelFile } from '../extraction/backbone-model-file';
import { embedTiles } from '../extraction/embed-tiles';
import { readModelTile } from '../extraction/embedding-pipeline';
import { benchBackbone } from '../registry/backbone-bench';
import { defaultHeadParams } from '../training/default-search-spaces';
import { loadTaskDataset } from '../training/load-task-dataset';
import { augmentationInvariance, neighbourhoodConsistency, rankMe, spearman } from './embedding-diagnostics';
import { bootstrapF1MacroCi } from './bootstrap-ci';
import { comparisonUnitPlan, unitStrata, type TileUnit } from './comparison-units';
import type { Dataset } from '../heads/dataset';

export interface CompareRequest {
  task: StoredTask;
  backbones: StoredBackbone[];
  head: HeadKind;
  folds: number;
  seed: number;
  /** Other labelled tasks whose rankings the proxy's should predict. */
  downstream: string[];
  /** Measure each backbone's throughput on the current provider (a few seconds each). */
  measureSpeed: boolean;
  bootstrap: number;
  /** Patch sets left out of the comparison (their ids); none when absent. */
  excludePatchSets?: number[];
}

export interface BackboneScore {
  backbone: string;
  backboneId: number;
  f1Macro: number;
  f1Std: number | null;
  ci95: [number, number];
  balancedAccuracy: number | null;
  rocAuc: number | null;
  knnAccuracy: number | null;
  tilesPerSecond: number | null;
  provider: string | null;
  dim: number;
  storageMBPer10kTiles: number;
  rankMe: number | null;
  augInvariance: number | null;
  neighbourConsistency: number | null;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);
const INVARIANCE_TILES = 24;

/** The dataset rows of included tiles only, grouped by their units. */
function keepIncluded(dataset: Dataset, tileIds: Int32Array, unitOfTile: ReadonlyMap<number, TileUnit>) {
  const rows = Array.from(tileIds.keys()).filter((row) => unitOfTile.has(tileIds[row]!));
  const x = new Float32Array(rows.length * dataset.dim);
  rows.forEach((row, i) => x.set(dataset.x.subarray(row * dataset.dim, (row + 1) * dataset.dim), i * dataset.dim));
  const kept = Int32Array.from(rows, (row) => tileIds[row]!);
  const { groups, strata } = unitStrata(kept, unitOfTile);
  const subset: Dataset = { x, n: rows.length, dim: dataset.dim, y: Int32Array.from(rows, (row) => dataset.y[row]!), classes: dataset.classes, groups };
  return { dataset: subset, tileIds: kept, strata };
}

/** Cross-validated scores of one backbone on one task (embedding its included labelled tiles first), grouped by comparison units. */
async function scoreOnTask(store: ProjectStore, task: StoredTask, backbone: StoredBackbone, request: CompareRequest, ctx?: JobContext) {
  const plan = comparisonUnitPlan(store, task, request.excludePatchSets);
  const included = [...plan.unitOfTile.keys()];
  if (included.length === 0) throw new HistoError('BAD_INPUT', `task ${task.name}: every labelled tile is in an excluded patch set; include a patch set or label slide tiles`);
  await embedTiles(store, backbone, included, {}, ctx);
  const loaded = loadTaskDataset(store, task, backbone);
  const { dataset, tileIds, strata } = keepIncluded(loaded.dataset, loaded.tileIds, plan.unitOfTile);
  const missing = included.length - dataset.n;
  if (missing > 0) throw new HistoError('BAD_INPUT', `backbone '${backbone.name}': ${missing} labelled tiles of ${task.name} could not be embedded`);
  const params = defaultHeadParams[request.head] as HeadParamsByKind[HeadKind];
  const cv = crossValidate({ dataset, kind: request.head, params, folds: request.folds, seed: request.seed });
  const knn = crossValidate({ dataset, kind: 'knn', params: { k: Math.min(15, Math.max(1, Math.floor(dataset.n / 4))) }, folds: request.folds, seed: request.seed });
  return { dataset, tileIds, cv, knn, strata };
}

/** Embeds the D4 views of a seeded sample of labelled tiles, without storing them, and scores invariance. */
async function invarianceOf(store: ProjectStore, backbone: StoredBackbone, tileIds: Int32Array, seed: number): Promise<number> {
  const rng = createRng(seed);
  const sample = Array.from(shuffleInPlace(Int32Array.from(tileIds), rng).subarray(0, INVARIANCE_TILES));
  const rows = sample.map(new TilesRepo(store.db).sourceLookup());
  const embedder = await Embedder.open(backboneModelFile(backbone), backbone, {});
  try {
    const perTile = floatsPerTile(backbone);
    const input = new Float32Array(8 * perTile);
    const vectors = new Float32Array(rows.length * 8 * backbone.dim);
    for (const [t, row] of rows.entries()) {
      const source = await openSlide(row.path);
      try {
        const pixels = await readModelTile(source, row.kind, row, backbone.inputSize);
        for (let v = 0; v < 8; v++) writeInputTensor([v === 0 ? pixels : renderView(pixels, v, seed)], backbone, input, v * perTile);
      } finally {
        await source.close();
      }
      vectors.set(await embedder.embed(input, 8), t * 8 * backbone.dim);
    }
    return augmentationInvariance(vectors, rows.length, 8, backbone.dim);
  } finally {
    await embedder.close();
  }
}

/** Neighbouring tiles in the grids of every slide this backbone embedded, against random pairs. */
function neighbourhoodOf(store: ProjectStore, backbone: StoredBackbone, seed: number): number | null {
  const tiles = new EmbeddingQueriesRepo(store.db).slideTilesInGridOrder(backbone.id);
  if (tiles.length < 20) return null;
  const matrix = new EmbeddingsRepo(store.db).loadMatrix(backbone.id, backbone.dim, { view: 0, tileIds: tiles.map((t) => t.id) });
  const rowOf = new Map(Array.from(matrix.tileIds, (id, i) => [id, i]));
  const neighbours: Array<[number, number]> = [];
  for (let i = 0; i + 1 < tiles.length; i++) {
    const [a, b] = [tiles[i]!, tiles[i + 1]!];
    if (a.tiling === b.tiling && a.y === b.y) neighbours.push([rowOf.get(a.id)!, rowOf.get(b.id)!]);
  }
  const rng = createRng(seed);
  const sampled = Array.from(permutation(neighbours.length, rng).subarray(0, 2000), (i) => neighbours[i]!);
  const random = sampled.map((): [number, number] => [rng.int(matrix.count), rng.int(matrix.count)]);
  return neighbourhoodConsistency(matrix.vectors, backbone.dim, sampled, random);
}

/**
 * Ranks candidate backbones on a labelled proxy task: the same head, the same grouped folds and
 * seed for each, macro F1 with a bootstrap CI, kNN accuracy, speed and storage, label-free
 * diagnostics, and how well the proxy's ranking predicts other tasks' (Spearman).
 */
export async function compareBackbones(store: ProjectStore, request: CompareRequest, ctx?: JobContext) {
  const started = performance.now();
  if (request.backbones.length < 2) throw new HistoError('VALIDATION', 'compare at least two backbones');
  const steps = request.backbones.length * (2 + request.downstream.length);
  let step = 0;
  const advance = (message: string) => ctx?.progress(step++, steps, message);
  const scores: BackboneScore[] = [];
  const units: ComparisonUnits = comparisonUnitPlan(store, request.task, request.excludePatchSets).summary;
  const tasks = new TasksRepo(store.db);
  const downstream = request.downstream.map((name) => tasks.require(name));
  const downstreamScores = new Map<string, number[]>(downstream.map((t) => [t.name, []]));

  for (const backbone of request.backbones) {
    ctx?.throwIfCancelled();
    advance(`${backbone.name}: embedding and cross-validating`);
    const { dataset, tileIds, cv, knn, strata } = await scoreOnTask(store, request.task, backbone, request, ctx);
    advance(`${backbone.name}: diagnostics`);
    const speed = request.measureSpeed ? await benchBackbone(backbone, { batchSize: 16, minSeconds: 1 }) : null;
    const storage = { bytes: new EmbeddingsRepo(store.db).bytesPerVector(backbone.id) };
    scores.push({
      backbone: backbone.name,
      backboneId: backbone.id,
      f1Macro: cv.metrics.f1Macro,
      f1Std: finite(cv.metricsStd.f1Macro),
      ci95: bootstrapF1MacroCi(dataset.y, cv.outOfFold, dataset.classes.length, strata, request.bootstrap, request.seed),
      balancedAccuracy: finite(cv.metrics.balancedAccuracy),
      rocAuc: finite(cv.metrics.rocAuc),
      knnAccuracy: finite(knn.metrics.accuracy),
      tilesPerSecond: speed?.tilesPerSecond ?? null,
      provider: speed?.provider ?? null,
      dim: backbone.dim,
      storageMBPer10kTiles: ((storage.bytes ?? backbone.dim * 4) * 10_000) / 2 ** 20,
      rankMe: finite(rankMe(dataset.x, dataset.n, dataset.dim)),
      augInvariance: finite(await invarianceOf(store, backbone, tileIds, request.seed)),
      neighbourConsistency: neighbourhoodOf(store, backbone, request.seed),
    });
    for (const task of downstream) {
      advance(`${backbone.name}: downstream task ${task.name}`);
      downstreamScores.get(task.name)!.push((await scoreOnTask(store, task, backbone, request, ctx)).cv.metrics.f1Macro);
    }
  }

  const ranking = [...scores].sort((a, b) => b.f1Macro - a.f1Macro);
  const notSeparable: Array<[string, string]> = [];
  for (let i = 0; i < ranking.length; i++) {
    for (let j = i + 1; j < ranking.length; j++) {
      const [a, b] = [ranking[i]!, ranking[j]!];
      if (a.ci95[0] <= b.ci95[1] && b.ci95[0] <= a.ci95[1]) notSeparable.push([a.backbone, b.backbone]);
    }
  }
  const proxy = scores.map((s) => s.f1Macro);
  const transfer = downstream.map((task) => ({
    task: task.name,
    spearman: spearman(proxy, downstreamScores.get(task.name)!),
    f1Macro: Object.fromEntries(scores.map((s, i) => [s.backbone, downstreamScores.get(task.name)![i]!])),
  }));
  const result = { task: request.task.name, head: request.head, folds: request.folds, seed: request.seed, ranking, notSeparable, transfer, units, seconds: (performance.now() - started) / 1000 };
  const id = store.db.transaction(() => {
    const comparisonId = new ComparisonsRepo(store.db).insert(
      request.task.id,
      JSON.stringify({ backbones: request.backbones.map((b) => b.name), head: request.head, folds: request.folds, seed: request.seed, downstream: request.downstream, excludePatchSets: request.excludePatchSets ?? [] }),
      JSON.stringify(result),
    );
    recordAudit(store.db, 'compare', { task: request.task.name, backbones: request.backbones.map((b) => ({ name: b.name, sha256: b.sha256 })), winner: ranking[0]?.backbone, notSeparable });
    return comparisonId;
  })();
  ctx?.progress(steps, steps, 'done');
  return { id, ...result };
}

