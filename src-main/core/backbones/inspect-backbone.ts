import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ExecutionProviderName } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import { loadOrt } from '../onnx/ort';
import type { RgbImage } from '../slides/slide-source';
import { BackboneSidecar, BackboneSpec, IMAGENET_MEAN, IMAGENET_STD, sidecarPath } from './backbone-spec';
import { createSession, type SessionOptions } from './onnx-session';
import { floatsPerTile, writeInputTensor } from './preprocess';
import { assertModelIsSafe } from './model-safety';

export type InspectedBackbone = BackboneSpec & { sha256: string; provider: ExecutionProviderName };

/** Tile size assumed for a model whose input size is dynamic and declared nowhere. */
const DEFAULT_INPUT_SIZE = 224;

/** ONNX Runtime prefixes messages with the load call and source locations: keep what a user can act on. */
export function cleanOrtMessage(message: string): string {
  return message
    .replace(/^Load model from .*? failed:\s*/s, '')
    .replace(/\/onnxruntime_src\/\S+:\d+ [^\n]*?\) /g, '')
    .replace(/\[ONNXRuntimeError\] : \d+ : \w+ : /g, '')
    .trim();
}

function isNotOnnx(message: string): boolean {
  return /Protobuf parsing failed|does not have a graph/i.test(message);
}

function readSidecar(modelFile: string): BackboneSidecar {
  const file = sidecarPath(modelFile);
  if (!fs.existsSync(file)) return {};
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HistoError('BAD_INPUT', `${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = BackboneSidecar.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new HistoError('BAD_INPUT', `${file}: not a backbone sidecar: ${issues}`);
  }
  return parsed.data;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(', ')}]`;
}

function tensorMetadata(
  file: string,
  list: readonly InferenceSession.ValueMetadata[],
  name: string,
  role: string,
): InferenceSession.TensorValueMetadata {
  const meta = list.find((m) => m.name === name);
  if (!meta) throw new HistoError('BAD_INPUT', `${file}: has no ${role} named ${name} (it has ${list.map((m) => m.name).join(', ')})`);
  if (!meta.isTensor) throw new HistoError('BAD_INPUT', `${file}: ${role} ${name} is not a tensor`);
  return meta;
}

/** Two test tiles: flat mid-grey and a fixed pattern, so a model that breaks on texture shows it. */
function testTiles(size: number): RgbImage[] {
  const grey: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3).fill(128) };
  const pattern = new Uint8Array(size * size * 3);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 2654435761) >>> 24;
  return [grey, { width: size, height: size, data: pattern }];
}

/**
 * Opens an ONNX file as a backbone and says what it is: the spec a tile pipeline needs, the
 * provider it ran on and the file's sha256. Values come from, in rising precedence, the model
 * itself (tensor names, a static input size), the sidecar `<model>.json`, and `overrides`. Runs one
 * test batch of 2 tiles and requires a finite [2, dim] float output. Writes nothing.
 */
export async function inspectBackbone(
  file: string,
  overrides: Partial<BackboneSpec> = {},
  opts: Pick<SessionOptions, 'provider'> = {},
): Promise<InspectedBackbone> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new HistoError('NOT_FOUND', `${file}: no such file`);
  }
  if (!stat.isFile()) throw new HistoError('BAD_INPUT', `${file}: not a file`);
  if (stat.size === 0) throw new HistoError('BAD_INPUT', `${file}: not an ONNX model (the file is empty)`);
  const sidecar = readSidecar(file);
  assertModelIsSafe(file);

  let opened;
  try {
    opened = await createSession(file, opts);
  } catch (err) {
    if (err instanceof HistoError) throw err;
    const message = cleanOrtMessage((err as Error).message);
    if (isNotOnnx(message)) throw new HistoError('BAD_INPUT', `${file}: not an ONNX model (${message})`, { cause: err });
    throw new HistoError('BAD_INPUT', `${file}: ONNX Runtime cannot load the model: ${message}`, { cause: err });
  }
  const { session, provider } = opened;
  try {
    const inputName = overrides.inputName ?? sidecar.inputName ?? soleInput(file, session);
    const outputName = overrides.outputName ?? sidecar.outputName ?? embeddingOutput(session);
    const input = tensorMetadata(file, session.inputMetadata, inputName, 'input');
    const output = tensorMetadata(file, session.outputMetadata, outputName, 'output');
    if (session.inputNames.length > 1) {
      throw new HistoError('BAD_INPUT', `${file}: has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); a backbone takes one image input`);
    }
    if (input.type !== 'float32') throw new HistoError('BAD_INPUT', `${file}: input ${inputName} is ${input.type}, expected float32`);
    if (output.type !== 'float32') throw new HistoError('BAD_INPUT', `${file}: output ${outputName} is ${output.type}, expected float32`);
    const declaredSize = staticInputSize(file, inputName, input.shape);

    const inputSize = overrides.inputSize ?? sidecar.inputSize ?? declaredSize ?? DEFAULT_INPUT_SIZE;
    if (declaredSize !== undefined && inputSize !== declaredSize) {
      throw new HistoError('BAD_INPUT', `${file}: input ${inputName} is fixed at ${declaredSize}x${declaredSize}, but ${inputSize} was asked for`);
    }
    const defaults = sidecarDefaults(sidecar);
    const merged = {
      name: overrides.name ?? sidecar.name ?? path.basename(file).replace(/\.onnx$/i, ''),
      inputSize,
      mean: overrides.mean ?? defaults.mean,
      std: overrides.std ?? defaults.std,
      inputName,
      outputName,
      source: overrides.source !== undefined ? overrides.source : defaults.source,
      license: overrides.license !== undefined ? overrides.license : defaults.license,
    };

    const dim = await testBatch(file, session, merged);
    if (overrides.dim !== undefined && overrides.dim !== dim) {
      throw new HistoError('BAD_INPUT', `${file}: output ${outputName} has ${dim} features, but dim ${overrides.dim} was asked for`);
    }
    if (overrides.dim === undefined && sidecar.dim !== undefined && sidecar.dim !== dim) {
      throw new HistoError('BAD_INPUT', `${sidecarPath(file)}: declares dim ${sidecar.dim}, but output ${outputName} of the model has ${dim} features`);
    }
    const spec = BackboneSpec.safeParse({ ...merged, dim });
    if (!spec.success) {
      const issues = spec.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new HistoError('BAD_INPUT', `${file}: invalid backbone settings: ${issues}`);
    }
    return { ...spec.data, sha256: await sha256File(file), provider };
  } finally {
    await session.release();
  }
}

/**
 * The spec a sidecar states in full (tensor names, input size and dim; mean, std, source and
 * licence default as they do for inspectBackbone, sidecarDefaults), or null when any is missing. For the
 * bundled models only: tests inspect each of them and require this to be what inspection finds, so
 * registering one in a project needs no ONNX Runtime session (about 190 ms on a fresh project).
 */
export function declaredBackbone(file: string): BackboneSpec | null {
  const sidecar = readSidecar(file);
  const { name, inputSize, inputName, outputName, dim } = sidecar;
  if (name === undefined || inputSize === undefined || inputName === undefined || outputName === undefined || dim === undefined) return null;
  return { name, inputSize, inputName, outputName, dim, ...sidecarDefaults(sidecar) };
}

/** What a sidecar says of the fields that have a default when it is silent: ImageNet's normalisation, no source, no licence. */
function sidecarDefaults(sidecar: BackboneSidecar): Pick<BackboneSpec, 'mean' | 'std' | 'source' | 'license'> {
  return { mean: sidecar.mean ?? IMAGENET_MEAN, std: sidecar.std ?? IMAGENET_STD, source: sidecar.source ?? null, license: sidecar.license ?? null };
}

function soleInput(file: string, session: InferenceSession): string {
  const first = session.inputNames[0];
  if (first === undefined) throw new HistoError('BAD_INPUT', `${file}: the model has no inputs`);
  return first;
}

/** The first output shaped [batch, dim] (Hugging Face exports put last_hidden_state first), else the first. */
function embeddingOutput(session: InferenceSession): string {
  const pooled = session.outputMetadata.find((m) => m.isTensor && m.shape.length === 2);
  return pooled?.name ?? session.outputNames[0] ?? '';
}

/** The input's fixed side length when its shape declares one; refuses shapes no tile batch fits. */
function staticInputSize(file: string, inputName: string, shape: ReadonlyArray<number | string>): number | undefined {
  if (shape.length === 0) return undefined; // shape not recorded in the model
  if (shape.length !== 4) {
    throw new HistoError('BAD_INPUT', `${file}: input ${inputName} has shape ${shapeText(shape)}, expected [batch, 3, height, width]`);
  }
  const [batch, channels, height, width] = shape;
  if (typeof channels === 'number' && channels !== 3) {
    throw new HistoError('BAD_INPUT', `${file}: input ${inputName} has ${channels} channels, expected 3 (RGB)`);
  }
  if (typeof batch === 'number' && batch > 0) {
    throw new HistoError(
      'BAD_INPUT',
      `${file}: input ${inputName} has a fixed batch size of ${batch} (shape ${shapeText(shape)}); export it with a dynamic batch dimension`,
    );
  }
  if (typeof height === 'number' && typeof width === 'number' && height > 0 && width > 0) {
    if (height !== width) throw new HistoError('BAD_INPUT', `${file}: input ${inputName} is ${height}x${width}; tiles are square`);
    return height;
  }
  return undefined;
}

async function testBatch(file: string, session: InferenceSession, spec: Omit<BackboneSpec, 'dim'>): Promise<number> {
  const ort = loadOrt();
  const size = spec.inputSize;
  const input = new Float32Array(2 * floatsPerTile(spec));
  writeInputTensor(testTiles(size), spec, input);
  let result: InferenceSession.ReturnType;
  try {
    result = await session.run({ [spec.inputName]: new ort.Tensor('float32', input, [2, 3, size, size]) }, [spec.outputName]);
  } catch (err) {
    throw new HistoError('BAD_INPUT', `${file}: fails on a test batch of 2 tiles of ${size}x${size}: ${cleanOrtMessage((err as Error).message)}`, {
      cause: err,
    });
  }
  const output = result[spec.outputName] as Tensor;
  const dims = output.dims;
  if (dims.length !== 2 || dims[0] !== 2) {
    throw new HistoError('BAD_INPUT', `${file}: output ${spec.outputName} has shape ${shapeText(dims)}, expected [batch, dim]`);
  }
  const data = output.data as Float32Array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new HistoError('BAD_INPUT', `${file}: output ${spec.outputName} produces NaN/Inf on a test batch`);
  }
  return dims[1]!;
}
