import path from 'node:path';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { EmbeddingsRepo, type EmbeddingRow } from '../../../src-main/core/project/repos/embeddings-repo';

export interface ClusteredProject {
  store: ProjectStore;
  file: string;
  backboneId: number;
  /** A second backbone with no stored vectors. */
  emptyBackboneId: number;
  slideIds: number[];
  /** Tile ids per cluster, in tile order. */
  clusters: number[][];
  clusterOf: Map<number, number>;
  dim: number;
}

/**
 * A project whose stored embeddings have known clusters: `clusters` well-separated centres, each
 * tile its centre plus noise, tiles spread over two slides (so slide filters cut across clusters).
 * Written straight into SQLite: search and map read the store, not how vectors got there.
 */
export function clusteredProject(dir: string, opts: { clusters?: number; perCluster?: number; dim?: number; seed?: number; dtype?: 'float32' | 'float16' } = {}): ClusteredProject {
  const { clusters: clusterCount = 3, perCluster = 60, dim = 48, seed = 5, dtype = 'float32' } = opts;
  const file = path.join(dir, 'clustered.histo');
  const store = ProjectStore.create(file);
  const db = store.db;
  const random = seededRandom(seed);
  const now = new Date().toISOString();
  const addBackbone = db.prepare(
    `INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at)
     VALUES (?, ?, ?, 32, '[0.5,0.5,0.5]', '[0.25,0.25,0.25]', 'input', 'embedding', ?, ?)`,
  );
  const backboneId = Number(addBackbone.run('clustered', path.join(dir, 'none.onnx'), '0'.repeat(64), dim, now).lastInsertRowid);
  const emptyBackboneId = Number(addBackbone.run('empty', path.join(dir, 'none.onnx'), '1'.repeat(64), dim, now).lastInsertRowid);
  const slideIds = [0, 1].map((s) =>
    Number(
      db
        .prepare(`INSERT INTO slides (path, fingerprint, format, width, height, levels_json, added_at) VALUES (?, ?, 'tiff', 4096, 4096, '[]', ?)`)
        .run(path.join(dir, `slide-${s}.tif`), `fp-${s}`, now).lastInsertRowid,
    ),
  );
  const tilingIds = slideIds.map((slideId) =>
    Number(db.prepare(`INSERT INTO tilings (slide_id, tile_size, params_key, created_at) VALUES (?, 64, 'k', ?)`).run(slideId, now).lastInsertRowid),
  );
  const centres = Array.from({ length: clusterCount }, () => Float32Array.from({ length: dim }, () => random() * 2 - 1));
  const clusters: number[][] = centres.map(() => []);
  const clusterOf = new Map<number, number>();
  const addTile = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (?, ?, ?, 64, 64, 1)');
  const embeddings: EmbeddingRow[] = [];
  db.transaction(() => {
    // Interleaved so cluster membership is not tile order.
    for (let i = 0; i < perCluster; i++) {
      for (let c = 0; c < clusterCount; c++) {
        const slide = (i + c) % 2;
        const n = i * clusterCount + c;
        const tileId = Number(addTile.run(tilingIds[slide]!, (n % 60) * 64, Math.floor(n / 60) * 64).lastInsertRowid);
        const vector = Float32Array.from(centres[c]!, (v) => v + (random() * 2 - 1) * 0.35);
        embeddings.push({ tileId, view: 0, viewName: 'original', vector });
        clusters[c]!.push(tileId);
        clusterOf.set(tileId, c);
      }
    }
    new EmbeddingsRepo(db).insertBatch(backboneId, dtype, embeddings);
  })();
  return { store, file, backboneId, emptyBackboneId, slideIds, clusters, clusterOf, dim };
}
