import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../src-main/core/backbones/seeded-random';
import { GraphBuilder } from '../../src-main/core/onnx/graph-builder';

/**
 * Small ONNX models built in code for tests, each written to a file (in `dir`, or a fresh temp
 * folder) whose path is returned. Input 'input' [N, 3, S, S], output 'embedding', unless noted.
 */
export interface ModelFileOptions {
  dir?: string;
  fileName?: string;
}

function writeModel(bytes: Uint8Array, fallbackName: string, opts: ModelFileOptions): string {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'histo-onnx-'));
  const file = path.join(dir, opts.fileName ?? fallbackName);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Uniform values in [-scale, scale), seeded. */
export function randomWeights(count: number, seed: number, scale = 1): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (rand() * 2 - 1) * scale;
  return out;
}

export interface LinearEmbedderOptions extends ModelFileOptions {
  inputSize: number;
  dim: number;
  seed: number;
}

/** Grid cells per side the linear embedder averages over, so it sees layout as well as colour. */
export const LINEAR_GRID = 4;

/** The weights linearEmbedder uses, exposed so a test can compute the expected embedding in JS. */
export function linearEmbedderWeights(opts: Pick<LinearEmbedderOptions, 'dim' | 'seed'>): { weight: Float32Array; bias: Float32Array; features: number } {
  const features = 3 * LINEAR_GRID * LINEAR_GRID;
  return {
    features,
    weight: randomWeights(features * opts.dim, opts.seed, 1),
    bias: randomWeights(opts.dim, opts.seed + 1, 0.1),
  };
}

export function linearEmbedderBytes(opts: Omit<LinearEmbedderOptions, keyof ModelFileOptions>): Uint8Array {
  const { inputSize, dim } = opts;
  if (inputSize % LINEAR_GRID !== 0) throw new Error(`linearEmbedder: inputSize ${inputSize} is not a multiple of ${LINEAR_GRID}`);
  const { weight, bias, features } = linearEmbedderWeights(opts);
  const cell = inputSize / LINEAR_GRID;
  const g = new GraphBuilder('linear-embedder');
  const x = g.input('input', ['N', 3, inputSize, inputSize]);
  // Average over a 4x4 grid of cells, then a linear map: [N, 48] x [48, dim] + bias.
  const pooled = g.op('AveragePool', [x], { kernel_shape: [cell, cell], strides: [cell, cell] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  g.op('Gemm', [flat, g.tensor('weight', [features, dim], weight), g.tensor('bias', [dim], bias)], {}, 'embedding');
  g.output('embedding', ['N', dim]);
  return g.toBytes();
}

/** Embedding = 4x4-cell mean pixels (per channel) times a seeded random matrix: linear in the pixels. */
export function linearEmbedder(opts: LinearEmbedderOptions): string {
  return writeModel(linearEmbedderBytes(opts), `linear-${opts.inputSize}-${opts.dim}.onnx`, opts);
}

/** A well-formed embedder whose output is NaN for every input. */
export function nanModel(opts: ModelFileOptions & { inputSize?: number; dim?: number } = {}): string {
  const size = opts.inputSize ?? 32;
  const dim = opts.dim ?? 8;
  const g = new GraphBuilder('nan-model');
  const x = g.input('input', ['N', 3, size, size]);
  const flat = g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 });
  const linear = g.op('Gemm', [flat, g.tensor('weight', [3, dim], randomWeights(3 * dim, 7))]);
  g.op('Mul', [linear, g.scalar('nan', Number.NaN)], {}, 'embedding');
  g.output('embedding', ['N', dim]);
  return writeModel(g.toBytes(), 'nan.onnx', opts);
}

/** A model whose output keeps the spatial dims: [N, channels, S, S] instead of [N, dim]. */
export function wrongRankModel(opts: ModelFileOptions & { inputSize?: number; channels?: number } = {}): string {
  const size = opts.inputSize ?? 32;
  const channels = opts.channels ?? 4;
  const g = new GraphBuilder('wrong-rank');
  const x = g.input('input', ['N', 3, size, size]);
  g.op('Conv', [x, g.tensor('weight', [channels, 3, 1, 1], randomWeights(channels * 3, 3))], {}, 'embedding');
  g.output('embedding', ['N', channels, size, size]);
  return writeModel(g.toBytes(), 'wrong-rank.onnx', opts);
}

/** A model using an operator no runtime knows. */
export function unsupportedOpModel(opts: ModelFileOptions = {}): string {
  const g = new GraphBuilder('unsupported-op');
  const x = g.input('input', ['N', 3, 32, 32]);
  g.op('NoSuchHistoOp', [x], {}, 'embedding');
  g.output('embedding', ['N', 8]);
  return writeModel(g.toBytes(), 'unsupported-op.onnx', opts);
}

/** A linear embedder exported with a fixed batch of 1 (shape [1, 3, S, S]). */
export function fixedBatchModel(opts: ModelFileOptions & { inputSize?: number } = {}): string {
  const size = opts.inputSize ?? 32;
  const g = new GraphBuilder('fixed-batch');
  const x = g.input('input', [1, 3, size, size]);
  const flat = g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 });
  g.op('Gemm', [flat, g.tensor('weight', [3, 8], randomWeights(24, 5))], {}, 'embedding');
  g.output('embedding', [1, 8]);
  return writeModel(g.toBytes(), 'fixed-batch.onnx', opts);
}

/**
 * Like a Hugging Face export: first output 'last_hidden_state' [N, tokens, dim], then
 * 'pooler_output' [N, dim]; the inspector should pick the pooled one. Input size dynamic.
 */
export function twoOutputModel(opts: ModelFileOptions & { dim?: number } = {}): string {
  const dim = opts.dim ?? 6;
  const g = new GraphBuilder('two-outputs');
  const x = g.input('pixel_values', ['N', 3, 'H', 'W']);
  const features = g.op('Conv', [x, g.tensor('proj', [dim, 3, 1, 1], randomWeights(dim * 3, 11))], {});
  // [N, dim, H, W] -> [N, dim, H*W] -> [N, H*W, dim]
  const tokens = g.op('Reshape', [features, g.int64s('tokens_shape', [0, dim, -1])]);
  g.op('Transpose', [tokens], { perm: [0, 2, 1] }, 'last_hidden_state');
  g.op('ReduceMean', [tokens], { axes: [2], keepdims: 0 }, 'pooler_output');
  g.output('last_hidden_state', ['N', 'T', dim]);
  g.output('pooler_output', ['N', dim]);
  return writeModel(g.toBytes(), 'two-outputs.onnx', opts);
}

export interface ResnetLikeOptions extends ModelFileOptions {
  inputSize?: number;
  dim?: number;
  seed?: number;
}

/**
 * A model with ResNet-18's layout and cost (about 1.8 GMAC for a 224 tile): a 7x7/2 stem, a 2x2
 * pool, then four stages of four 3x3 convolutions (64, 128, 256, 512 channels, each stage but the
 * first opening with stride 2), global average pooling -> [N, dim]. Random He-scaled weights and
 * no skip connections: it measures throughput, not accuracy.
 */
export function resnetLikeModel(opts: ResnetLikeOptions = {}): string {
  const size = opts.inputSize ?? 224;
  const dim = opts.dim ?? 512;
  let seed = opts.seed ?? 18;
  const g = new GraphBuilder('resnet-like');
  const conv = (x: string, cin: number, cout: number, k: number, stride: number): string => {
    const w = randomWeights(cout * cin * k * k, seed++, Math.sqrt(6 / (cin * k * k)));
    const b = new Float32Array(cout);
    const pad = (k - 1) >> 1;
    const y = g.op('Conv', [x, g.tensor('w', [cout, cin, k, k], w), g.tensor('b', [cout], b)], {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
    return g.op('Relu', [y]);
  };
  let x = g.input('input', ['N', 3, size, size]);
  x = conv(x, 3, 64, 7, 2);
  x = g.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let cin = 64;
  const widths = [64, 128, 256, dim];
  widths.forEach((width, stage) => {
    for (let i = 0; i < 4; i++) {
      x = conv(x, cin, width, 3, stage > 0 && i === 0 ? 2 : 1);
      cin = width;
    }
  });
  g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 }, 'embedding');
  g.output('embedding', ['N', dim]);
  return writeModel(g.toBytes(), `resnet-like-${size}-${dim}.onnx`, opts);
}

/**
 * A "noise" backbone: it sees one channel of one pixel and spreads it over `dim` outputs along a
 * single direction, so its embedding carries pixel noise rather than tissue and has rank 1.
 */
export function centrePixelModel(opts: ModelFileOptions & { inputSize: number; dim: number; seed?: number }): string {
  const { inputSize, dim } = opts;
  const centre = Math.floor(inputSize / 2);
  const g = new GraphBuilder('centre-pixel');
  const x = g.input('input', ['N', 3, inputSize, inputSize]);
  const pixel = g.op('Slice', [x, g.int64s('starts', [1, centre, centre]), g.int64s('ends', [2, centre + 1, centre + 1]), g.int64s('axes', [1, 2, 3])]);
  const flat = g.op('Flatten', [pixel], { axis: 1 });
  g.op('Gemm', [flat, g.tensor('direction', [1, dim], randomWeights(dim, opts.seed ?? 13)), g.tensor('bias', [dim], randomWeights(dim, (opts.seed ?? 13) + 1, 0.1))], {}, 'embedding');
  g.output('embedding', ['N', dim]);
  return writeModel(g.toBytes(), 'centre-pixel.onnx', opts);
}
