import fs from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ExecutionProviderName } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import { loadOrt } from '../onnx/ort';
import { PIXEL_INPUT, withPixelInput } from '../onnx/pixel-input';
import type { BackboneSpec } from './backbone-spec';
import { createSession, type SessionOptions } from './onnx-session';
import { floatsPerTile, writeInputTensor } from './preprocess';

/** Whether a batch lives in shared memory (a SharedArrayBuffer), visible to every thread it is posted to. */
export function isShared(batch: TileBatch): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && batch.buffer instanceof SharedArrayBuffer;
}

/** A batch of tiles: normalised floats (NCHW), or the tiles' RGB bytes as decoded (NHWC) for a pixel-input embedder. */
export type TileBatch = Float32Array | Uint8Array;

export interface EmbedderOptions extends SessionOptions {
  /**
   * Take batches of RGB bytes instead of normalised floats: the model normalises them itself (see
   * withPixelInput), or, for a model that cannot be wrapped, this embedder does on its own thread.
   */
  pixelInput?: boolean;
  /**
   * The most tiles one ONNX Runtime run takes; a larger batch runs as several runs of this many
   * (see planSessions). Unset: a batch is one run.
   */
  runBatch?: number;
}

/**
 * Models up to this size get the normalisation in their graph. Wrapping holds the file and its
 * re-encoded copy in memory while the session loads; for a larger (heavy) model the normalisation
 * is a sliver of the inference time and runs on the embedder's thread instead.
 */
const WRAP_MAX_BYTES = 256 * 2 ** 20;

/** How batches reach the session: as floats, as bytes the graph normalises, or as bytes normalised here first. */
type InputMode = 'floats' | 'pixels-in-graph' | 'pixels-here';

/**
 * One backbone loaded for inference: feed it input tensors written by `writeInputTensor` (or,
 * opened with `pixelInput`, the tiles' RGB bytes), get `count x dim` embeddings back. Runs are
 * queued, so callers may overlap calls safely.
 */
export class Embedder {
  private queue: Promise<unknown> = Promise.resolve();
  /** The last input tensor, kept while the caller keeps passing the same buffer and count. */
  private lastInput: { data: TileBatch; count: number; tensor: Tensor } | undefined;
  /** Where a byte batch is normalised for a model that could not take the bytes itself. */
  private scratch: Float32Array | undefined;
  /** Where a batch in shared memory is copied to (ownCopy). */
  private unshared: TileBatch | undefined;
  private closed = false;

  private constructor(
    private readonly session: InferenceSession,
    readonly file: string,
    readonly spec: BackboneSpec,
    readonly provider: ExecutionProviderName,
    private readonly mode: InputMode,
    private readonly runBatch: number,
  ) {}

  /** Whether batches are RGB bytes (NHWC, as decoded) rather than normalised floats. */
  get pixelInput(): boolean {
    return this.mode !== 'floats';
  }

  get dim(): number {
    return this.spec.dim;
  }

  static async open(file: string, spec: BackboneSpec, opts: EmbedderOptions = {}): Promise<Embedder> {
    let opened;
    let mode: InputMode = 'floats';
    try {
      const wrapped = opts.pixelInput && fs.statSync(file).size <= WRAP_MAX_BYTES ? withPixelInput(fs.readFileSync(file), spec, file) : null;
      if (opts.pixelInput) mode = wrapped ? 'pixels-in-graph' : 'pixels-here';
      opened = await createSession(wrapped ?? file, { provider: opts.provider, intraOpThreads: opts.intraOpThreads });
    } catch (err) {
      if (err instanceof HistoError) throw err;
      throw new HistoError('BAD_INPUT', `${file}: cannot load the model: ${(err as Error).message}`, { cause: err });
    }
    const { session, provider } = opened;
    const inputName = mode === 'pixels-in-graph' ? PIXEL_INPUT : spec.inputName;
    const missing = [
      session.inputNames.includes(inputName) ? null : `no input named ${spec.inputName} (it has ${session.inputNames.join(', ')})`,
      session.outputNames.includes(spec.outputName) ? null : `no output named ${spec.outputName} (it has ${session.outputNames.join(', ')})`,
    ].filter((m): m is string => m !== null);
    if (missing.length > 0) {
      await session.release();
      throw new HistoError('BAD_INPUT', `${file}: does not match its backbone spec: ${missing.join('; ')}`);
    }
    return new Embedder(session, file, spec, provider, mode, opts.runBatch ?? Number.POSITIVE_INFINITY);
  }

  /**
   * Embeds `count` tiles that fill the start of `input`: normalised floats (NCHW), or for a
   * pixel-input embedder RGB bytes (NHWC). The result is a fresh `count * dim` array; `input` may
   * be reused for the next batch as soon as this resolves.
   */
  embed(input: TileBatch, count: number): Promise<Float32Array> {
    const run = this.queue.then(() => this.run(input, count));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(input: TileBatch, count: number): Promise<Float32Array> {
    if (this.closed) throw new HistoError('BAD_INPUT', `${this.file}: the backbone session is closed`);
    const pixels = this.pixelInput;
    if (pixels !== (input instanceof Uint8Array)) {
      throw new HistoError('BAD_INPUT', `${this.file}: this session takes ${pixels ? 'RGB bytes (Uint8Array)' : 'normalised floats (Float32Array)'}`);
    }
    const perTile = floatsPerTile(this.spec);
    if (!Number.isInteger(count) || count < 1 || count * perTile > input.length) {
      throw new HistoError('BAD_INPUT', `${this.file}: cannot embed ${count} tiles from an input of ${input.length} ${pixels ? 'bytes' : 'floats'} (${perTile} per tile)`);
    }
    const own = isShared(input) ? this.ownCopy(input, count * perTile) : input;
    const batch = this.mode === 'pixels-in-graph' ? own : this.floatsOf(own, count);
    if (count <= this.runBatch) return this.runOnce(batch, count);
    // Several runs over views of the batch, their outputs gathered into one array.
    const output = new Float32Array(count * this.spec.dim);
    for (let start = 0; start < count; start += this.runBatch) {
      const n = Math.min(this.runBatch, count - start);
      output.set(await this.runOnce(batch.subarray(start * perTile, (start + n) * perTile), n), start * this.spec.dim);
    }
    return output;
  }

  /** One ONNX Runtime run over the first `count` tiles of a batch the session takes as it is. */
  private async runOnce(batch: TileBatch, count: number): Promise<Float32Array> {
    const name = this.mode === 'pixels-in-graph' ? PIXEL_INPUT : this.spec.inputName;
    const results = await this.session.run({ [name]: this.inputTensor(batch, count) }, [this.spec.outputName]);
    const output = results[this.spec.outputName] as Tensor | undefined;
    if (!output) throw new HistoError('BAD_INPUT', `${this.file}: the model returned no ${this.spec.outputName}`);
    const dims = output.dims;
    if (output.type !== 'float32' || dims.length !== 2 || dims[0] !== count || dims[1] !== this.spec.dim) {
      throw new HistoError(
        'BAD_INPUT',
        `${this.file}: output ${this.spec.outputName} is ${output.type} [${dims.join(', ')}], expected float32 [${count}, ${this.spec.dim}]`,
      );
    }
    const data = output.data as Float32Array;
    // The output owns its buffer on the CPU provider; copy only when it is a view into a larger one.
    return data.byteOffset === 0 && data.length === data.buffer.byteLength / 4 ? data : data.slice();
  }

  /** ONNX Runtime reads tensors in place, so a tensor over the caller's buffer needs no copy. */
  private inputTensor(input: TileBatch, count: number): Tensor {
    const last = this.lastInput;
    if (last && last.data === input && last.count === count) return last.tensor;
    const size = this.spec.inputSize;
    const view = input.length === count * floatsPerTile(this.spec) ? input : input.subarray(0, count * floatsPerTile(this.spec));
    const { Tensor } = loadOrt();
    const tensor = view instanceof Uint8Array ? new Tensor('uint8', view, [count, size, size, 3]) : new Tensor('float32', view, [count, 3, size, size]);
    this.lastInput = { data: input, count, tensor };
    return tensor;
  }

  /**
   * The first `used` values of a batch in shared memory, copied into this embedder's own buffer:
   * ONNX Runtime refuses tensors over a SharedArrayBuffer. Runs are queued, so one buffer serves.
   */
  private ownCopy(input: TileBatch, used: number): TileBatch {
    const bytes = input instanceof Uint8Array;
    let copy = this.unshared;
    if (!copy || copy instanceof Uint8Array !== bytes || copy.length < input.length) {
      copy = this.unshared = bytes ? new Uint8Array(input.length) : new Float32Array(input.length);
    }
    if (copy instanceof Uint8Array) copy.set((input as Uint8Array).subarray(0, used));
    else copy.set((input as Float32Array).subarray(0, used));
    return copy;
  }

  /** A byte batch normalised here, for a model the pixel prefix could not be added to; floats as they are. */
  private floatsOf(input: TileBatch, count: number): Float32Array {
    if (input instanceof Float32Array) return input;
    const size = this.spec.inputSize;
    const perTile = floatsPerTile(this.spec);
    this.scratch ??= new Float32Array(input.length);
    if (this.scratch.length < input.length) this.scratch = new Float32Array(input.length);
    for (let t = 0; t < count; t++) {
      writeInputTensor([{ width: size, height: size, data: input.subarray(t * perTile, (t + 1) * perTile) }], this.spec, this.scratch, t * perTile);
    }
    return this.scratch;
  }

  /** Releases the session after the runs already queued; later calls to embed are refused. */
  close(): Promise<void> {
    const release = this.queue.then(async () => {
      if (this.closed) return;
      this.closed = true;
      this.lastInput = undefined;
      await this.session.release();
    });
    this.queue = release.catch(() => undefined);
    return release;
  }
}
