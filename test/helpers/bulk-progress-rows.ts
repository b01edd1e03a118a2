import type { GridTile } from '../../src-shared/domain/tiling';
import { ProjectStore } from '../../src-main/core/project/project-store';
import { EmbeddingsRepo } from '../../src-main/core/project/repos/embeddings-repo';
import { LabelsRepo, type LabelSource } from '../../src-main/core/project/repos/labels-repo';
import { PredictionsRepo } from '../../src-main/core/project/repos/predictions-repo';
import { ReviewDecisionsRepo } from '../../src-main/core/project/repos/review-decisions-repo';
import { TasksRepo } from '../../src-main/core/project/repos/tasks-repo';
import { TilesRepo } from '../../src-main/core/project/repos/tiles-repo';
import { TilingsRepo } from '../../src-main/core/project/repos/tilings-repo';
import { recordAudit } from '../../src-main/core/project/repos/audit-repo';

/**
 * Progress for bulk-made slides (see bulk-project-rows.ts), written through the real repos in one
 * transaction: tiles, embeddings, predictions, review decisions, labels and audit lines, so lists
 * of 10,000 slides or 100,000 labels can be tested without running the pipeline on each.
 */

/** A grid of `count` tiles of 224 px, 20 per row. */
function grid(count: number): GridTile[] {
  return Array.from({ length: count }, (_, i) => ({ x: (i % 20) * 224, y: Math.floor(i / 20) * 224, width: 224, height: 224, tissue: 1 }));
}

function tilesOf(store: ProjectStore, slideId: number, count: number): number[] {
  const tilingId = new TilingsRepo(store.db).create(slideId, { tileSize: 224, mpp: 0.5, level: null, overlap: 0, minTissue: 0.5 }, grid(count));
  return new TilesRepo(store.db).ofTiling(tilingId).map((tile) => tile.id);
}

function addBackbone(store: ProjectStore, name: string, dim: number): number {
  const result = store.db
    .prepare(
      `INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at)
       VALUES (?, ?, ?, 32, '[0.5,0.5,0.5]', '[0.25,0.25,0.25]', 'input', 'embedding', ?, ?)`,
    )
    .run(name, `/nowhere/${name}.onnx`, name.padEnd(64, '0').slice(0, 64), dim, new Date().toISOString());
  return Number(result.lastInsertRowid);
}

export interface ProgressPlan {
  /** Slide ids embedded with the first backbone; `embeddedSecond` with the second. */
  embedded: readonly number[];
  embeddedSecond?: readonly number[];
  predicted: readonly number[];
  reviewed: readonly number[];
  tilesPerSlide?: number;
}

/** Two backbones, one task and one head; the planned slides get embeddings, predictions, decisions. */
export function addSlideProgress(projectFile: string, plan: ProgressPlan): { backboneIds: [number, number]; headId: number } {
  const store = ProjectStore.open(projectFile);
  try {
    return store.db.transaction(() => {
      const dim = 4;
      const backboneIds: [number, number] = [addBackbone(store, 'first-net', dim), addBackbone(store, 'second-net', dim)];
      const task = new TasksRepo(store.db).create('progress', ['tumour', 'stroma']);
      const headId = Number(
        store.db
          .prepare(`INSERT INTO heads (task_id, backbone_id, kind, params_json, seed, metrics_json, train_seconds, weights, created_at) VALUES (?, ?, 'logreg', '{}', 0, '{}', 0, ?, ?)`)
          .run(task.id, backboneIds[0], Buffer.alloc(4), new Date().toISOString()).lastInsertRowid,
      );
      const tiles = new Map<number, number[]>();
      const slideIds = new Set([...plan.embedded, ...(plan.embeddedSecond ?? []), ...plan.predicted, ...plan.reviewed]);
      for (const slideId of slideIds) tiles.set(slideId, tilesOf(store, slideId, plan.tilesPerSlide ?? 4));
      const embeddings = new EmbeddingsRepo(store.db);
      const embed = (backboneId: number, slides: readonly number[]) =>
        embeddings.insertBatch(
          backboneId,
          'float32',
          slides.flatMap((slideId) => tiles.get(slideId)!.map((tileId) => ({ tileId, view: 0, viewName: 'original', vector: Float32Array.from({ length: dim }, (_, d) => tileId + d) }))),
        );
      embed(backboneIds[0], plan.embedded);
      embed(backboneIds[1], plan.embeddedSecond ?? []);
      const predictedTiles = Int32Array.from(plan.predicted.flatMap((slideId) => tiles.get(slideId)!));
      new PredictionsRepo(store.db).writeMany(headId, predictedTiles, Float32Array.from({ length: predictedTiles.length * 2 }, (_, i) => (i % 2 ? 0.3 : 0.7)), 2);
      const reviews = new ReviewDecisionsRepo(store.db);
      for (const slideId of plan.reviewed) reviews.upsert(headId, tiles.get(slideId)![0]!, 'accept', 'tumour', 'tester');
      return { backboneIds, headId };
    })();
  } finally {
    store.close();
  }
}

/**
 * A task of `classes` with `count` labels spread over `slideIds` (tiles made as needed), sources
 * and dates cycling so that each filter and sort has something to do.
 */
export function addBulkLabels(projectFile: string, taskName: string, classes: readonly string[], slideIds: readonly number[], count: number): void {
  const store = ProjectStore.open(projectFile);
  try {
    store.db.transaction(() => {
      const task = new TasksRepo(store.db).create(taskName, classes);
      const labels = new LabelsRepo(store.db);
      const perSlide = Math.ceil(count / slideIds.length);
      const sources: LabelSource[] = ['import', 'viewer', 'search', 'review'];
      let made = 0;
      for (const slideId of slideIds) {
        const tileIds = tilesOf(store, slideId, Math.min(perSlide, count - made));
        const bySource = new Map<LabelSource, Array<{ tileId: number; className: string }>>(sources.map((source) => [source, []]));
        tileIds.forEach((tileId, i) => {
          const n = made + i;
          bySource.get(sources[n % sources.length]!)!.push({ tileId, className: classes[Math.floor(n / sources.length) % classes.length]! });
        });
        for (const [source, batch] of bySource) labels.upsertMany(task.id, batch, source, source === 'import' ? null : 'tester');
        made += tileIds.length;
        if (made >= count) break;
      }
    })();
  } finally {
    store.close();
  }
}

/** `count` audit lines of cycling actions; every 50th lists `longList` paths (a predict over many slides). */
export function addAuditLines(projectFile: string, count: number, longList: number): void {
  const store = ProjectStore.open(projectFile);
  try {
    const actions = ['slide.import', 'embed', 'train', 'predict', 'review.decide', 'label.import'];
    store.db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const action = actions[i % actions.length]!;
        const detail: Record<string, unknown> = { entry: i + 1 };
        if (i % 50 === 0) detail.slides = Array.from({ length: longList }, (_, n) => `/data/study/case-${String(n + 1).padStart(5, '0')}.svs`);
        recordAudit(store.db, action, detail);
      }
    })();
  } finally {
    store.close();
  }
}
