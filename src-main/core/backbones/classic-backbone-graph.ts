import { GraphBuilder } from '../onnx/graph-builder';
import { HED_FROM_RGB } from './stain-matrix';

/**
 * The graph of the classical, non-learned baseline backbones (histo-classic-v1, -v2), written as
 * ONNX by scripts/build-default-backbone.mjs:
 *
 *   RGB in [0, 1] -> k x k average -> optical density -> H, E, residual concentrations (colour
 *   deconvolution)
 *   -> on H and E, at several scales (a binomial pyramid): 12 filters (Gaussian, its first and
 *      second derivatives, even and odd Gabor filters at 3 orientations)
 *   -> per filter response: mean of its positive part, mean of its negative part, standard deviation
 *   -> plus mean and standard deviation of each stain channel.
 *
 * The versions differ only in the internal resolution and the number of scales; each is frozen once
 * shipped, because its vectors are stored in projects under its name.
 */
export interface ClassicGraphConfig {
  /** The name written into the model (the sidecar's name is what a project records). */
  name: string;
  description: string;
  license: string;
  /** The tile is averaged k x k before anything else: 224 px at 0.5 µm/px becomes 224/k px at k/2 µm/px. */
  internalDownsample: 1 | 2 | 4;
  /** Pyramid levels the filter bank runs on, each half the size of the one before. */
  scales: number;
  /**
   * How the k x k average is computed (the same numbers up to float rounding): ONNX AveragePool (v1),
   * or a depthwise strided Conv, which ONNX Runtime runs 15-25% faster over the whole v2 graph
   * (Reshape + ReduceMean measured no faster than AveragePool).
   */
  averageBy?: 'average-pool' | 'conv';
}

export const CLASSIC_INPUT_SIZE = 224;
const KERNEL_RADIUS = 3;
const DERIVATIVE_SIGMA = 1.2;
const GABOR_SIGMA = 1.6;
const GABOR_WAVELENGTH = 4;
const GABOR_ANGLES = [0, 60, 120];
/** Stain channels the filter bank runs on: haematoxylin and eosin. */
const TEXTURE_STAINS = 2;
const BANK_SIZE = 6 + 2 * GABOR_ANGLES.length;

type Kernel = Float64Array;
const SIDE = 2 * KERNEL_RADIUS + 1;

function sampleKernel(fn: (x: number, y: number) => number): Kernel {
  const k = new Float64Array(SIDE * SIDE);
  for (let y = -KERNEL_RADIUS; y <= KERNEL_RADIUS; y++) {
    for (let x = -KERNEL_RADIUS; x <= KERNEL_RADIUS; x++) k[(y + KERNEL_RADIUS) * SIDE + x + KERNEL_RADIUS] = fn(x, y);
  }
  return k;
}

/** Removes the kernel's mean (so flat regions give 0) and scales its absolute values to sum to 1. */
function zeroMeanUnitL1(k: Kernel): Kernel {
  const mean = k.reduce((a, b) => a + b, 0) / k.length;
  const centred = k.map((v) => v - mean);
  const l1 = centred.reduce((a, b) => a + Math.abs(b), 0);
  return centred.map((v) => v / l1);
}

/** The filter bank, in a fixed order; every scale of the pyramid reuses it. */
export function filterBank(): Array<{ name: string; kernel: Kernel }> {
  const s2 = DERIVATIVE_SIGMA * DERIVATIVE_SIGMA;
  const gauss = (x: number, y: number) => Math.exp(-(x * x + y * y) / (2 * s2));
  const g = sampleKernel(gauss);
  const gSum = g.reduce((a, b) => a + b, 0);
  const bank: Array<{ name: string; kernel: Kernel }> = [
    { name: 'gauss', kernel: g.map((v) => v / gSum) },
    { name: 'dx', kernel: zeroMeanUnitL1(sampleKernel((x, y) => (-x / s2) * gauss(x, y))) },
    { name: 'dy', kernel: zeroMeanUnitL1(sampleKernel((x, y) => (-y / s2) * gauss(x, y))) },
    { name: 'dxx', kernel: zeroMeanUnitL1(sampleKernel((x, y) => ((x * x - s2) / (s2 * s2)) * gauss(x, y))) },
    { name: 'dxy', kernel: zeroMeanUnitL1(sampleKernel((x, y) => ((x * y) / (s2 * s2)) * gauss(x, y))) },
    { name: 'dyy', kernel: zeroMeanUnitL1(sampleKernel((x, y) => ((y * y - s2) / (s2 * s2)) * gauss(x, y))) },
  ];
  for (const phase of ['even', 'odd'] as const) {
    for (const angle of GABOR_ANGLES) {
      const t = (angle * Math.PI) / 180;
      const kernel = sampleKernel((x, y) => {
        const along = x * Math.cos(t) + y * Math.sin(t);
        const wave = phase === 'even' ? Math.cos((2 * Math.PI * along) / GABOR_WAVELENGTH) : Math.sin((2 * Math.PI * along) / GABOR_WAVELENGTH);
        return Math.exp(-(x * x + y * y) / (2 * GABOR_SIGMA * GABOR_SIGMA)) * wave;
      });
      bank.push({ name: `gabor-${phase}-${angle}`, kernel: zeroMeanUnitL1(kernel) });
    }
  }
  return bank;
}

/** Width of the embedding: mean and std of 3 stains, then 3 statistics per filter, stain and scale. */
export function classicDim(config: Pick<ClassicGraphConfig, 'scales'>): number {
  return 6 + config.scales * 3 * TEXTURE_STAINS * BANK_SIZE;
}

/** Names of the output features, in order: for documentation, debugging and tests. */
export function classicFeatureNames(config: Pick<ClassicGraphConfig, 'scales'>): string[] {
  const names: string[] = [];
  const stains = ['H', 'E', 'D'];
  for (const stat of ['mean', 'std']) for (const s of stains) names.push(`${s}.${stat}`);
  const bank = filterBank();
  for (let scale = 0; scale < config.scales; scale++) {
    for (const stat of ['pos', 'neg', 'std']) {
      for (let s = 0; s < TEXTURE_STAINS; s++) for (const f of bank) names.push(`${stains[s]}.s${scale}.${f.name}.${stat}`);
    }
  }
  return names;
}

/** The input tile averaged k x k: [N, 3, 224, 224] -> [N, 3, 224/k, 224/k]. */
function averageTile(g: GraphBuilder, x: string, k: number, by: NonNullable<ClassicGraphConfig['averageBy']>): string {
  if (by === 'average-pool') return g.op('AveragePool', [x], { kernel_shape: [k, k], strides: [k, k] });
  const weights = new Float32Array(3 * k * k).fill(1 / (k * k));
  return g.op('Conv', [x, g.tensor('box_average', [3, 1, k, k], weights)], { group: 3, kernel_shape: [k, k], strides: [k, k] });
}

/** The ONNX bytes of one classical backbone: the same on every run and machine. */
export function classicBackboneBytes(config: ClassicGraphConfig): Uint8Array {
  const size = CLASSIC_INPUT_SIZE;
  const downsample = config.internalDownsample;
  const g = new GraphBuilder(config.name);
  g.meta('description', config.description);
  g.meta('license', config.license);
  const x = g.input('input', ['N', 3, size, size]);
  const internal = size / downsample;
  const pooled = downsample === 1 ? x : averageTile(g, x, downsample, config.averageBy ?? 'average-pool');

  // Optical density -ln((255x + 1) / 256); its sign is folded into the deconvolution weights.
  const scaled = g.op('Add', [g.op('Mul', [pooled, g.scalar('to_counts', 255 / 256)]), g.scalar('offset', 1 / 256)]);
  const logT = g.op('Log', [scaled]);
  // concentrations[s] = sum_c OD[c] * HED_FROM_RGB[c][s], as a 1x1 convolution (out s, in c).
  const deconv = new Float32Array(9);
  for (let s = 0; s < 3; s++) for (let c = 0; c < 3; c++) deconv[s * 3 + c] = -HED_FROM_RGB[c]![s]!;
  const stains = g.op('Conv', [logT, g.tensor('hed_from_od', [3, 3, 1, 1], deconv)], {}, 'stains');

  const meanStd = (t: string) => {
    const mean = g.op('GlobalAveragePool', [t]);
    const meanSquare = g.op('GlobalAveragePool', [g.op('Mul', [t, t])]);
    const variance = g.op('Relu', [g.op('Sub', [meanSquare, g.op('Mul', [mean, mean])])]);
    return { mean, std: g.op('Sqrt', [variance]) };
  };
  const colour = meanStd(stains);
  const features = [colour.mean, colour.std];

  let level = g.op('Slice', [stains, g.int64s('he_start', [0]), g.int64s('he_end', [TEXTURE_STAINS]), g.int64s('he_axis', [1])], {}, 'he');
  const bank = filterBank();
  const bankWeights = new Float32Array(TEXTURE_STAINS * bank.length * SIDE * SIDE);
  for (let s = 0; s < TEXTURE_STAINS; s++) {
    bank.forEach((f, i) => bankWeights.set(f.kernel, (s * bank.length + i) * SIDE * SIDE));
  }
  const bankTensor = g.tensor('filter_bank', [TEXTURE_STAINS * bank.length, 1, SIDE, SIDE], bankWeights);
  const binomial = [1, 2, 1];
  const blur = new Float32Array(TEXTURE_STAINS * 9);
  for (let s = 0; s < TEXTURE_STAINS; s++) for (let i = 0; i < 9; i++) blur[s * 9 + i] = (binomial[Math.floor(i / 3)]! * binomial[i % 3]!) / 16;
  const blurTensor = g.tensor('pyramid_blur', [TEXTURE_STAINS, 1, 3, 3], blur);

  const half = g.scalar('half', 0.5);
  for (let scale = 0; scale < config.scales; scale++) {
    if (scale > 0) {
      level = g.op('Conv', [level, blurTensor], { group: TEXTURE_STAINS, kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    }
    // 'valid' convolution: responses only where the kernel sees real pixels, no border artefacts.
    const response = g.op('Conv', [level, bankTensor], { group: TEXTURE_STAINS, kernel_shape: [SIDE, SIDE] });
    // Three reductions that never write a full-size temporary: sum r, sum |r|, sum r^2. Then
    // mean(relu(r)) = (mean|r| + mean r) / 2, mean(relu(-r)) = (mean|r| - mean r) / 2.
    const side = (scale === 0 ? internal : Math.ceil(internal / 2 ** scale)) - 2 * KERNEL_RADIUS;
    const inverseCount = g.scalar('inverse_count', 1 / (side * side));
    const mean = g.op('GlobalAveragePool', [response]);
    const meanAbs = g.op('Mul', [g.op('ReduceL1', [response], { axes: [2, 3], keepdims: 1 }), inverseCount]);
    const meanSquare = g.op('Mul', [g.op('ReduceSumSquare', [response], { axes: [2, 3], keepdims: 1 }), inverseCount]);
    const std = g.op('Sqrt', [g.op('Relu', [g.op('Sub', [meanSquare, g.op('Mul', [mean, mean])])])]);
    const positive = g.op('Mul', [g.op('Add', [meanAbs, mean]), half]);
    const negative = g.op('Mul', [g.op('Sub', [meanAbs, mean]), half]);
    features.push(positive, negative, std);
  }
  const concat = g.op('Concat', features, { axis: 1 });
  g.op('Flatten', [concat], { axis: 1 }, 'embedding');
  g.output('embedding', ['N', classicDim(config)]);
  return g.toBytes();
}
