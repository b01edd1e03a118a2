import fs from 'node:fs';
import Database from 'better-sqlite3';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { extractEmbeddings, type ExtractionOptions } from '../../../src-main/core/extraction/extract-embeddings';
import { EmbeddingsRepo } from '../../../src-main/core/project/repos/embeddings-repo';
import { SlidesRepo } from '../../../src-main/core/project/repos/slides-repo';
import { crop, patternImage } from '../../fixtures/slide-fixtures';
import { LINEAR_GRID, linearEmbedder, linearEmbedderWeights } from '../../helpers/onnx-models';
import { writePatchDataset, writeTestSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';

const tempDir = useTempDir();
const mean: [number, number, number] = [0.5, 0.45, 0.4];
const std: [number, number, number] = [0.25, 0.2, 0.3];

/** The linear test model computed by hand, from pixels preprocessed here independently of the app. */
function referenceEmbedding(tile: RgbImage, dim: number, seed: number): Float64Array {
  const { weight, bias, features } = linearEmbedderWeights({ dim, seed });
  const cell = tile.width / LINEAR_GRID;
  const pooled = new Float64Array(features);
  for (let c = 0; c < 3; c++) {
    for (let gy = 0; gy < LINEAR_GRID; gy++) {
      for (let gx = 0; gx < LINEAR_GRID; gx++) {
        let sum = 0;
        for (let y = gy * cell; y < (gy + 1) * cell; y++) {
          for (let x = gx * cell; x < (gx + 1) * cell; x++) sum += (tile.data[(y * tile.width + x) * 3 + c]! / 255 - mean[c]!) / std[c]!;
        }
        pooled[c * LINEAR_GRID * LINEAR_GRID + gy * LINEAR_GRID + gx] = sum / (cell * cell);
      }
    }
  }
  const out = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    let v = bias[d]!;
    for (let f = 0; f < features; f++) v += pooled[f]! * weight[f * dim + d]!;
    out[d] = v;
  }
  return out;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

async function setup() {
  const dir = tempDir();
  const slide = await writeTestSlide(dir);
  const model = linearEmbedder({ inputSize: 32, dim: 16, seed: 5, dir });
  const store = ProjectStore.create(`${dir}/p.histo`);
  const backbone = await importBackbone(store, model, { name: 'linear', mean, std });
  const base: ExtractionOptions = { paths: [slide], backbone, tileSize: 32, level: 0, minTissue: 0, views: 'none', batchSize: 7, dtype: 'float32' };
  return { dir, slide, model, store, backbone, base };
}

describe('embedding extraction', () => {
  it('embeds every tile once, equal to the model run on independently preprocessed pixels', async () => {
    const { store, backbone, base, model } = await setup();
    try {
      const summary = await extractEmbeddings(store, base);
      expect(summary).toMatchObject({ slides: 1, tiles: 16 * 12, views: 1, embedded: 16 * 12, provider: 'cpu', failed: [] });
      const matrix = new EmbeddingsRepo(store.db).loadMatrix(backbone.id, 16);
      expect(matrix.count).toBe(192);
      const tiles = store.db.prepare('SELECT id, x, y FROM tiles ORDER BY id').all() as Array<{ id: number; x: number; y: number }>;
      const level0 = patternImage(512, 384);
      let worst = 1;
      for (const [i, tile] of tiles.entries()) {
        expect(matrix.tileIds[i]).toBe(tile.id);
        const expected = referenceEmbedding(crop(level0, tile.x, tile.y, 32, 32), 16, 5);
        worst = Math.min(worst, cosine(matrix.vectors.subarray(i * 16, (i + 1) * 16), expected));
      }
      expect(worst).toBeGreaterThanOrEqual(0.9999);

      // And the same ONNX model run by ONNX Runtime directly on a tensor prepared here, independently.
      const session = await ort.InferenceSession.create(model);
      const input = new Float32Array(tiles.length * 3 * 32 * 32);
      tiles.forEach((tile, i) => {
        const pixels = crop(level0, tile.x, tile.y, 32, 32).data;
        for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) input[i * 3072 + c * 1024 + p] = (pixels[p * 3 + c]! / 255 - mean[c]!) / std[c]!;
      });
      const direct = (await session.run({ input: new ort.Tensor('float32', input, [tiles.length, 3, 32, 32]) })).embedding!.data as Float32Array;
      await session.release();
      let worstDirect = 1;
      for (let i = 0; i < tiles.length; i++) worstDirect = Math.min(worstDirect, cosine(matrix.vectors.subarray(i * 16, (i + 1) * 16), direct.subarray(i * 16, (i + 1) * 16)));
      expect(worstDirect).toBeGreaterThanOrEqual(0.9999);
    } finally {
      store.close();
    }
  });

  it('skips what is stored on a rerun, and adds only the missing augmented views', async () => {
    const { store, backbone, base } = await setup();
    try {
      await extractEmbeddings(store, base);
      const again = await extractEmbeddings(store, base);
      expect(again.embedded).toBe(0);
      const d4 = await extractEmbeddings(store, { ...base, views: 'd4' });
      expect(d4).toMatchObject({ views: 8, embedded: 192 * 7 });
      const perKey = store.db.prepare('SELECT count(*) AS n FROM embeddings GROUP BY backbone_id, tile_id, view HAVING n > 1').all();
      expect(perKey).toEqual([]);
      expect(new EmbeddingsRepo(store.db).count(backbone.id)).toBe(192 * 8);
      const names = store.db.prepare('SELECT DISTINCT view, view_name FROM embeddings ORDER BY view').all() as Array<{ view: number; view_name: string }>;
      expect(names).toHaveLength(8);
      expect(names[0]).toEqual({ view: 0, view_name: 'original' });
      // D4 views of a tile are different vectors (the pattern is not symmetric).
      const views = new EmbeddingsRepo(store.db).loadMatrix(backbone.id, 16, { view: null });
      expect(cosine(views.vectors.subarray(0, 16), views.vectors.subarray(16, 32))).toBeLessThan(0.9999);
    } finally {
      store.close();
    }
  });

  it('stores float16 on request with a small cosine error', async () => {
    const { store, model, base } = await setup();
    try {
      const half = await importBackbone(store, model, { name: 'linear-f16', mean, std });
      await extractEmbeddings(store, base);
      await extractEmbeddings(store, { ...base, backbone: half, dtype: 'float16' });
      const repo = new EmbeddingsRepo(store.db);
      const full = repo.loadMatrix(base.backbone.id, 16);
      const reduced = repo.loadMatrix(half.id, 16);
      let worst = 1;
      for (let i = 0; i < full.count; i++) worst = Math.min(worst, cosine(full.vectors.subarray(i * 16, (i + 1) * 16), reduced.vectors.subarray(i * 16, (i + 1) * 16)));
      expect(worst).toBeGreaterThan(0.9999);
      expect(worst).toBeLessThan(1);
      const bytes = store.db.prepare('SELECT DISTINCT length(vectors) / count AS n FROM embedding_blocks WHERE backbone_id = ?').all(half.id);
      expect(bytes).toEqual([{ n: 32 }]);
    } finally {
      store.close();
    }
  });

  it('embeds a patch dataset folder: one tile per image, folder name kept as candidate label', async () => {
    const { dir, store, base } = await setup();
    try {
      const root = await writePatchDataset(dir, { tumour: [150, 40, 120], stroma: [230, 150, 190] }, 3);
      const summary = await extractEmbeddings(store, { ...base, paths: [root] });
      expect(summary).toMatchObject({ slides: 6, tiles: 6, embedded: 6 });
      const labels = store.db.prepare("SELECT candidate_label AS label, count(*) AS n FROM slides WHERE kind = 'image' GROUP BY label ORDER BY label").all();
      expect(labels).toEqual([
        { label: 'stroma', n: 3 },
        { label: 'tumour', n: 3 },
      ]);
    } finally {
      store.close();
    }
  });

  it('uses the mpp a user set in the project for a slide whose file has none', async () => {
    const { dir, store, base } = await setup();
    try {
      const { writePyramid } = await import('../../fixtures/slide-fixtures');
      const slide = await writePyramid(`${dir}/nompp.tif`, { width: 256, height: 256, tile: 128, compression: 'lzw', downsamples: [1] });
      const byMpp = { ...base, paths: [slide], level: undefined, mpp: 0.5 };
      const refused = await extractEmbeddings(store, byMpp);
      expect(refused.failed[0]!.message).toMatch(/nompp\.tif: the slide's resolution .* unknown/);
      const row = store.db.prepare('SELECT id FROM slides WHERE path = ?').get(slide) as { id: number };
      new SlidesRepo(store.db).setMpp(row.id, 0.25, 0.25, 'user');
      const summary = await extractEmbeddings(store, byMpp);
      // 256 px at 0.25 µm/px, tiles of 32 px at 0.5 µm/px = 64 px of level 0: 4 x 4 tiles.
      expect(summary).toMatchObject({ slides: 1, tiles: 16, embedded: 16, failed: [] });
    } finally {
      store.close();
    }
  });

  it('reports a broken file by name and still embeds the others', async () => {
    const { dir, store, base, slide } = await setup();
    try {
      const broken = `${dir}/broken.svs`;
      fs.writeFileSync(broken, 'II*\0garbage');
      const summary = await extractEmbeddings(store, { ...base, paths: [broken, slide] });
      expect(summary.slides).toBe(1);
      expect(summary.failed).toHaveLength(1);
      expect(summary.failed[0]!.message).toContain('broken.svs');
      const check = new Database(`${dir}/p.histo`, { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
    } finally {
      store.close();
    }
  });

  it('names a model file that vanished since import, though the model opens while the tissue is found, and stores nothing', async () => {
    const { store, backbone, base, model } = await setup();
    try {
      fs.rmSync(model);
      await expect(extractEmbeddings(store, base)).rejects.toThrow(`${model}: the model file of backbone 'linear' is missing`);
      expect(new EmbeddingsRepo(store.db).loadMatrix(backbone.id, 16).count).toBe(0);
    } finally {
      store.close();
    }
  });
});
