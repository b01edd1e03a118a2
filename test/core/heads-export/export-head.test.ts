import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { importBackbone } from '../../../src-main/core/registry/backbone-registry';
import { extractEmbeddings } from '../../../src-main/core/extraction/extract-embeddings';
import { importPatchFolder } from '../../../src-main/core/labels/import-patch-folder';
import { trainTask } from '../../../src-main/core/training/train-task';
import { HeadsRepo } from '../../../src-main/core/project/repos/heads-repo';
import { loadTaskDataset } from '../../../src-main/core/training/load-task-dataset';
import { exportHead } from '../../../src-main/core/heads-export/export-head';
import { predictHeadProba, type HeadKind } from '../../../src-main/core/heads/head';
import type { StoredBackbone } from '../../../src-main/core/project/repos/backbones-repo';
import type { StoredTask } from '../../../src-main/core/project/repos/tasks-repo';
import { linearEmbedder } from '../../helpers/onnx-models';
import { writePatchDataset } from '../../helpers/embedding-fixtures';
import os from 'node:os';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-head-export-'));
const mean: [number, number, number] = [0.5, 0.5, 0.5];
const std: [number, number, number] = [0.25, 0.25, 0.25];
let store: ProjectStore;
let backbone: StoredBackbone;
let task: StoredTask;
let root: string;

async function run(file: string, inputName: string, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
    return out.probabilities!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

beforeAll(async () => {
  store = ProjectStore.create(path.join(dir, 'p.histo'));
  backbone = await importBackbone(store, linearEmbedder({ inputSize: 32, dim: 16, seed: 4, dir }), { name: 'lin', mean, std });
  root = await writePatchDataset(dir, { a: [230, 200, 210], b: [90, 60, 160], c: [180, 80, 120] }, 8);
  task = (await importPatchFolder(store, root, 'kinds')).task;
  await extractEmbeddings(store, { paths: [root], backbone, views: 'none', batchSize: 8, dtype: 'float32', minTissue: 0 });
}, 120_000);
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('head export to ONNX', () => {
  it.each([
    ['logreg', {}],
    ['logreg', { preprocess: 'none' }],
    ['logreg', { preprocess: 'l2' }],
    ['logreg', { preprocess: 'standardize' }],
    ['logreg', { preprocess: 'standardize-project' }],
    ['mlp', { hidden: [8, 6] }],
    ['mlp', { hidden: [8, 6], preprocess: 'l2' }],
    ['mlp', { hidden: [8, 6], preprocess: 'standardize-project' }],
    ['knn', { k: 5 }],
    ['knn', { k: 5, distanceWeighted: true }],
    ['knn', { k: 5, preprocess: 'standardize' }],
  ] as Array<[HeadKind, Record<string, unknown>]>)('%s %j: ONNX Runtime gives the in-app probabilities', async (kind, params) => {
    const trained = trainTask(store, { task, backbone, kind, folds: 3, groupBy: 'slide', augment: 'none', search: false, seed: 1, params });
    if (params.preprocess) expect(trained.preprocessing.chosen).toBe(params.preprocess);
    const file = path.join(dir, `head-${trained.headId}.onnx`);
    const exported = exportHead(store, trained.headId, file, false);
    expect(exported.output).toEqual({ name: 'probabilities', shape: ['N', 3] });
    const { head } = new HeadsRepo(store.db).load(trained.headId);
    const { dataset } = loadTaskDataset(store, task, backbone);
    const inApp = predictHeadProba(head, dataset.x, dataset.n);
    const fromOnnx = await run(file, 'embedding', dataset.x, [dataset.n, dataset.dim]);
    expect(maxAbsDiff(fromOnnx, inApp)).toBeLessThanOrEqual(1e-5);
  });

  it('the combined backbone + head model gives the same probabilities from pixels', async () => {
    const trained = trainTask(store, { task, backbone, kind: 'logreg', folds: 3, groupBy: 'slide', augment: 'none', search: false, seed: 2 });
    const file = path.join(dir, 'combined.onnx');
    const exported = exportHead(store, trained.headId, file, true);
    expect(exported.input).toMatchObject({ name: backbone.inputName, shape: ['N', 3, 32, 32] });
    // Pixels prepared here, independently of the app: each PNG resized whole to 32 x 32, normalised, NCHW.
    const images = store.db.prepare("SELECT s.path FROM labels l JOIN tiles t ON t.id = l.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id WHERE l.task_id = ? ORDER BY l.tile_id").all(task.id) as Array<{ path: string }>;
    const input = new Float32Array(images.length * 3 * 32 * 32);
    for (const [i, { path: file }] of images.entries()) {
      const { data } = await sharp(file).removeAlpha().resize(32, 32, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
      for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) input[i * 3072 + c * 1024 + p] = (data[p * 3 + c]! / 255 - mean[c]!) / std[c]!;
    }
    const fromPixels = await run(file, backbone.inputName, input, [images.length, 3, 32, 32]);
    const { head } = new HeadsRepo(store.db).load(trained.headId);
    const { dataset } = loadTaskDataset(store, task, backbone);
    expect(dataset.n).toBe(images.length);
    expect(maxAbsDiff(fromPixels, predictHeadProba(head, dataset.x, dataset.n))).toBeLessThanOrEqual(1e-5);
  });

  it('refuses to write anything but .onnx', () => {
    const trained = trainTask(store, { task, backbone, kind: 'knn', folds: 2, groupBy: 'none', augment: 'none', search: false, seed: 3 });
    expect(() => exportHead(store, trained.headId, path.join(dir, 'head.txt'), false)).toThrow(/written to a \.onnx file/);
    expect(() => exportHead(store, 9999, path.join(dir, 'x.onnx'), false)).toThrow(/no head 9999/);
  });
});
