import { HistoError } from '../errors';
import { gatherLabels, gatherRows, validateDataset, type Dataset } from './dataset';
import { augmentTrainingRows, describeAugmentation, parseAugmentation, type AugmentationInput } from './feature-augmentation';
import { fitKnn, predictKnn, type KnnModel, type KnnParams } from './knn';
import { fitLogisticRegression, predictLogisticRegression, type LogRegModel, type LogRegParams } from './logistic-regression';
import { fitMlp, predictMlp, type MlpModel, type MlpParams } from './mlp';
import { createRng } from './random';
import type { Standardizer } from './standardize';
import { applyPreprocessing, fitPreprocessing, isPreprocessing, PREPROCESSINGS, type Preprocessing } from './preprocessing';
import { chooseAuto, type AutoChoice } from './auto-preprocessing';
import { computeMetrics } from './metrics';

export const HEAD_KINDS = ['logreg', 'mlp', 'knn'] as const;
export type HeadKind = (typeof HEAD_KINDS)[number];

/**
 * The head's preprocessing (see preprocessing.ts), or 'auto' to choose it and the regulariser by
 * nested CV (auto-preprocessing.ts). Without it, the older boolean `standardize` decides, and
 * without that: standardize for logreg and mlp, none for knn (which is cosine already).
 */
interface StandardizeOption {
  preprocess?: Preprocessing | 'auto';
  standardize?: boolean;
}

export interface HeadParamsByKind {
  logreg: LogRegParams & StandardizeOption;
  mlp: MlpParams & StandardizeOption;
  knn: KnnParams & StandardizeOption;
}

interface HeadCommon {
  classes: string[];
  dim: number;
  preprocess: Preprocessing;
  /** Statistics of standardize / standardize-project, null otherwise. */
  standardizer: Standardizer | null;
  /** How 'auto' chose the preprocessing and regulariser (absent when they were given). */
  selection?: AutoChoice;
  /** The augmentation the head was trained with ('none', 'views+noise', ...). */
  augmentation: string;
  seed: number;
  /** Rows the model saw (original plus synthetic). */
  trainedRows: number;
}

export type Head =
  | (HeadCommon & { kind: 'logreg'; params: HeadParamsByKind['logreg']; model: LogRegModel })
  | (HeadCommon & { kind: 'mlp'; params: HeadParamsByKind['mlp']; model: MlpModel })
  | (HeadCommon & { kind: 'knn'; params: HeadParamsByKind['knn']; model: KnnModel });

export interface TrainHeadOptions {
  /** Dataset rows to train on (default all). */
  rows?: Int32Array;
  augment?: AugmentationInput;
}

export function isHeadKind(kind: string): kind is HeadKind {
  return (HEAD_KINDS as readonly string[]).includes(kind);
}

/**
 * Trains a head on raw embeddings: fits the standardiser on the training rows, adds the augmented
 * rows, fits the model. The head then predicts on raw embeddings. Deterministic for a given seed.
 */
export function trainHead<K extends HeadKind>(kind: K, params: HeadParamsByKind[K], data: Dataset, seed: number, options: TrainHeadOptions = {}): Head {
  if (!isHeadKind(kind)) throw new HistoError('VALIDATION', `unknown head kind '${String(kind)}' (known: ${HEAD_KINDS.join(', ')})`);
  validateDataset(data);
  const rows = options.rows ?? Int32Array.from({ length: data.n }, (_, i) => i);
  if (rows.length < 1) throw new HistoError('VALIDATION', `${kind} head: no training rows`);
  const spec = parseAugmentation(options.augment);
  const requested = requestedPreprocessing(kind, params);
  let selection: AutoChoice | undefined;
  let chosen: Preprocessing;
  let fitParams = params;
  if (requested === 'auto') {
    const scorer = (preprocess: Preprocessing, extra: Record<string, number>, train: Int32Array, test: Int32Array, s: number): number => {
      // Candidates are scored on the labelled rows alone: with every view a fit costs 8x, and the
      // with/without comparison of the outer run already measures what the views add.
      const head = trainHead(kind, { ...params, ...extra, preprocess } as HeadParamsByKind[K], data, s, { rows: train });
      const proba = predictHeadProba(head, gatherRows(data.x, data.dim, test), test.length);
      const f1 = computeMetrics({ yTrue: gatherLabels(data.y, test), proba, k: data.classes.length }).f1Macro;
      return Number.isNaN(f1) ? 0 : f1;
    };
    selection = chooseAuto(kind, data, rows, params as Record<string, unknown>, seed, scorer);
    chosen = selection.preprocess;
    fitParams = { ...params, ...selection.params };
  } else chosen = requested;
  if (chosen === 'standardize-project' && !data.projectStats) fitPreprocessing(chosen, data.x, 0, data.dim, undefined);
  const rng = createRng(seed);
  const augmented = augmentTrainingRows(data, rows, spec, rng.fork(21));
  // Statistics come from the matrix the model is fitted on (labelled rows plus synthetic rows), or from the project.
  const prep = fitPreprocessing(chosen, augmented.x, augmented.n, data.dim, data.projectStats);
  const x = applyPreprocessing(prep, augmented.x, augmented.n, data.dim);
  const k = data.classes.length;
  const common: HeadCommon = { classes: [...data.classes], dim: data.dim, preprocess: chosen, standardizer: prep.standardizer, augmentation: describeAugmentation(spec), seed, trainedRows: augmented.n };
  if (selection) common.selection = selection;
  // The parameter objects are copied without undefined entries so equal heads serialise to equal bytes.
  const cleanParams = JSON.parse(JSON.stringify({ ...fitParams, preprocess: chosen, standardize: undefined })) as HeadParamsByKind[K];
  switch (kind) {
    case 'logreg':
      return { ...common, kind: 'logreg', params: cleanParams, model: fitLogisticRegression(x, augmented.n, data.dim, augmented.y, k, fitParams as LogRegParams, augmented.weights) };
    case 'mlp':
      return { ...common, kind: 'mlp', params: cleanParams, model: fitMlp(x, augmented.n, data.dim, augmented.y, k, fitParams as MlpParams, rng.fork(22).int(0x7fffffff), augmented.weights) };
    default:
      return { ...common, kind: 'knn', params: cleanParams, model: fitKnn(x, augmented.n, data.dim, augmented.y, k, fitParams as KnnParams) };
  }
}

/** The preprocessing a parameter set asks for (see StandardizeOption). */
export function requestedPreprocessing(kind: HeadKind, params: StandardizeOption): Preprocessing | 'auto' {
  const p = params.preprocess;
  if (p !== undefined) {
    if (p !== 'auto' && !isPreprocessing(p)) throw new HistoError('VALIDATION', `preprocess: '${String(p)}' is not one of auto, ${PREPROCESSINGS.join(', ')}`);
    return p;
  }
  if (params.standardize !== undefined) return params.standardize ? 'standardize' : 'none';
  return kind === 'knn' ? 'none' : 'standardize';
}

/** n * classes probabilities for raw embeddings (n * dim). */
export function predictHeadProba(head: Head, x: Float32Array, n: number): Float32Array {
  if (x.length < n * head.dim) throw new HistoError('VALIDATION', `predict: ${x.length} values for ${n} rows of dim ${head.dim} (does the backbone match the head?)`);
  const input = applyPreprocessing({ method: head.preprocess, standardizer: head.standardizer }, x, n, head.dim);
  switch (head.kind) {
    case 'logreg':
      return predictLogisticRegression(head.model, input, n);
    case 'mlp':
      return predictMlp(head.model, input, n);
    default:
      return predictKnn(head.model, input, n);
  }
}

// ---- Serialisation: "HHD1", u32 LE header length, header JSON (UTF-8), zero padding to 4 bytes, tensors. ----

const MAGIC = [0x48, 0x48, 0x44, 0x31]; // "HHD1"
/** 2 adds `preprocess` and `selection`; version 1 heads (standardized true/false) still load. */
const FORMAT_VERSION = 2;

interface TensorEntry {
  name: string;
  dtype: 'f32' | 'i32';
  length: number;
}

interface HeadHeader {
  format: 'histo-head';
  version: number;
  kind: HeadKind;
  classes: string[];
  dim: number;
  params: unknown;
  augmentation: string;
  seed: number;
  trainedRows: number;
  standardized: boolean;
  preprocess?: Preprocessing;
  selection?: AutoChoice;
  model: Record<string, unknown>;
  tensors: TensorEntry[];
}

export function serializeHead(head: Head): Uint8Array {
  const tensors: Array<{ entry: TensorEntry; data: Float32Array | Int32Array }> = [];
  const add = (name: string, data: Float32Array | Int32Array): void => {
    tensors.push({ entry: { name, dtype: data instanceof Float32Array ? 'f32' : 'i32', length: data.length }, data });
  };
  if (head.standardizer) {
    add('standardizer.mean', head.standardizer.mean);
    add('standardizer.invStd', head.standardizer.invStd);
  }
  let model: Record<string, unknown>;
  if (head.kind === 'logreg') {
    const m = head.model;
    model = { k: m.k, dim: m.dim, iterations: m.iterations, converged: m.converged };
    add('weights', m.weights);
    add('bias', m.bias);
  } else if (head.kind === 'mlp') {
    const m = head.model;
    model = { k: m.k, dim: m.dim, epochs: m.epochs, bestEpoch: m.bestEpoch, validationLoss: Number.isFinite(m.validationLoss) ? m.validationLoss : null, layers: m.layers.map((l) => [l.inputs, l.outputs]) };
    m.layers.forEach((l, i) => {
      add(`layer${i}.weights`, l.weights);
      add(`layer${i}.bias`, l.bias);
    });
  } else {
    const m = head.model;
    model = { classes: m.classes, dim: m.dim, neighbours: m.neighbours, distanceWeighted: m.distanceWeighted, n: m.n };
    add('x', m.x);
    add('y', m.y);
  }
  const header: HeadHeader = {
    format: 'histo-head',
    version: FORMAT_VERSION,
    kind: head.kind,
    classes: head.classes,
    dim: head.dim,
    params: head.params,
    augmentation: head.augmentation,
    seed: head.seed,
    trainedRows: head.trainedRows,
    standardized: head.standardizer !== null,
    preprocess: head.preprocess,
    ...(head.selection ? { selection: head.selection } : {}),
    model,
    tensors: tensors.map((t) => t.entry),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerEnd = 8 + json.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  let total = dataStart;
  for (const t of tensors) total += t.data.length * 4;
  const bytes = new Uint8Array(total);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, json.length, true);
  bytes.set(json, 8);
  let at = dataStart;
  for (const t of tensors) {
    // Little-endian on every platform we ship (x64, arm64): copy the bytes as they are.
    bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), at);
    at += t.data.length * 4;
  }
  return bytes;
}

function bad(message: string): HistoError {
  return new HistoError('BAD_INPUT', `head bytes: ${message}`);
}

export function deserializeHead(bytes: Uint8Array): Head {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('not a serialised head (missing HHD1 magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > bytes.length) throw bad(`header of ${jsonLength} bytes runs past the end (${bytes.length} bytes)`);
  let header: HeadHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as HeadHeader;
  } catch (err) {
    throw new HistoError('BAD_INPUT', 'head bytes: header is not valid JSON', { cause: err });
  }
  if (header.format !== 'histo-head') throw bad(`unknown format '${String(header.format)}'`);
  if (header.version !== FORMAT_VERSION && header.version !== 1) throw bad(`format version ${header.version} is not supported (this build reads ${FORMAT_VERSION})`);
  if (!isHeadKind(header.kind)) throw bad(`unknown head kind '${String(header.kind)}'`);
  const tensors = new Map<string, Float32Array | Int32Array>();
  let at = Math.ceil((8 + jsonLength) / 4) * 4;
  for (const t of header.tensors) {
    const size = t.length * 4;
    if (at + size > bytes.length) throw bad(`tensor '${t.name}' runs past the end`);
    // Copy into fresh aligned buffers: the input may sit at any offset of a SQLite BLOB.
    const copy = bytes.slice(at, at + size);
    tensors.set(t.name, t.dtype === 'i32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer));
    at += size;
  }
  const f32 = (name: string): Float32Array => {
    const t = tensors.get(name);
    if (!(t instanceof Float32Array)) throw bad(`missing float tensor '${name}'`);
    return t;
  };
  const i32 = (name: string): Int32Array => {
    const t = tensors.get(name);
    if (!(t instanceof Int32Array)) throw bad(`missing int tensor '${name}'`);
    return t;
  };
  const preprocess = header.preprocess ?? (header.standardized ? 'standardize' : 'none');
  if (!isPreprocessing(preprocess)) throw bad(`unknown preprocessing '${String(preprocess)}'`);
  const common: HeadCommon = {
    classes: header.classes,
    dim: header.dim,
    preprocess,
    standardizer: header.standardized ? { mean: f32('standardizer.mean'), invStd: f32('standardizer.invStd') } : null,
    augmentation: header.augmentation,
    seed: header.seed,
    trainedRows: header.trainedRows,
  };
  if (header.selection) common.selection = header.selection;
  const m = header.model;
  if (header.kind === 'logreg') {
    return {
      ...common,
      kind: 'logreg',
      params: header.params as HeadParamsByKind['logreg'],
      model: { k: m.k as number, dim: m.dim as number, iterations: m.iterations as number, converged: m.converged as boolean, weights: f32('weights'), bias: f32('bias') },
    };
  }
  if (header.kind === 'mlp') {
    const shapes = m.layers as Array<[number, number]>;
    return {
      ...common,
      kind: 'mlp',
      params: header.params as HeadParamsByKind['mlp'],
      model: {
        k: m.k as number,
        dim: m.dim as number,
        epochs: m.epochs as number,
        bestEpoch: m.bestEpoch as number,
        validationLoss: typeof m.validationLoss === 'number' ? m.validationLoss : NaN,
        layers: shapes.map(([inputs, outputs], i) => ({ inputs, outputs, weights: f32(`layer${i}.weights`), bias: f32(`layer${i}.bias`) })),
      },
    };
  }
  return {
    ...common,
    kind: 'knn',
    params: header.params as HeadParamsByKind['knn'],
    model: { classes: m.classes as number, dim: m.dim as number, neighbours: m.neighbours as number, distanceWeighted: m.distanceWeighted as boolean, n: m.n as number, x: f32('x'), y: i32('y') },
  };
}
