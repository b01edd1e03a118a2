import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../app-root';
import { decodeTile } from './codecs/decode-tile';
import type { RgbImage } from './slide-source';
import type { TileCodec } from './tiff/tiff-image';
import { TileRecycler } from './tile-recycler';
import { reduceTile } from './box-reduce';
import { rememberCodec, type DecodeMessage, type DecodeReply, type DecodeRequest, type FileSpan, type TileReduction } from './decode-protocol';

/** A decode worker could not read a tile's bytes from the file. */
export class TileReadError extends Error {}

interface Pending {
  request: DecodeRequest;
  codec: TileCodec;
  /** The tile goes to the tile cache, which hands its buffer back for reuse. */
  forCache: boolean;
  resolve: (image: RgbImage) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  inFlight: Map<number, Pending>;
  /** Messages sent and not answered yet. */
  messages: number;
  /** Codec ids this worker has been sent and still keeps. */
  codecs: Map<number, true>;
}

/** Messages in flight per worker: two keeps each busy while the next tiles' bytes travel. */
const PER_WORKER = 2;
/**
 * Most tiles one message carries. Each message wakes a thread on each side; with tiles decoded one
 * per message, the hand-offs cost the main thread about as much as a light backbone's whole
 * preprocessing on 2 cores. A lone read still goes at once, in a message of its own.
 */
const TILES_PER_MESSAGE = 8;

/**
 * A pool of decode worker threads shared by every open slide. Falls back to decoding on the
 * calling thread when the worker bundle is absent (sources run without a build). Idle workers do
 * not keep the process alive.
 */
export class DecodePool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private readonly codecIds = new WeakMap<TileCodec, number>();
  private nextCodecId = 1;
  private readonly script: string | null;
  /** Buffers of tiles the cache let go, on their way back to the workers. */
  private readonly recycler = new TileRecycler();

  constructor(
    readonly size: number = defaultPoolSize(),
    script: string | null = resolveWorkerScript(),
  ) {
    this.script = script;
  }

  /** Whether tiles decode off-thread (false: no worker bundle, decoding inline). */
  get threaded(): boolean {
    return this.script !== null && this.size > 0;
  }

  /** Worker threads started and alive. */
  get startedWorkers(): number {
    return this.workers.length;
  }

  /**
   * Decodes one tile, given its bytes or where a worker reads them (threaded pools only; a failed
   * read rejects with a TileReadError). `forCache`: the tile goes to a TileCache, which hands its
   * buffer back (retireTile) for a worker to decode into again. `reduce`: the tile comes back
   * box-reduced (never for the cache).
   */
  decode(bytes: Uint8Array | FileSpan, codec: TileCodec, forCache = false, reduce?: TileReduction): Promise<RgbImage> {
    if (!this.threaded) {
      if (!(bytes instanceof Uint8Array)) return Promise.reject(new Error('decode pool: a file span needs decode workers'));
      const decoded = decodeTile(bytes, codec);
      if (!reduce) return decoded;
      return decoded.then((image) => reduceTile(image, reduce));
    }
    return new Promise<RgbImage>((resolve, reject) => {
      let codecId = this.codecIds.get(codec);
      if (codecId === undefined) this.codecIds.set(codec, (codecId = this.nextCodecId++));
      const request: DecodeRequest = reduce ? { id: this.nextId++, bytes, codecId, reduce } : { id: this.nextId++, bytes, codecId };
      this.queue.push({ request, codec, forCache: forCache && !reduce, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts every worker and its JPEG decoder now, ahead of the first tile. A caller that knows
   * slides are about to be read calls this before other work (resolving the backbone): a cold
   * pool's first overview took 313 ms, 268 ms after a warm-up (and 140 ms once the decoders'
   * code had been optimised, which only decoding does).
   */
  warm(): void {
    if (!this.threaded) return;
    while (this.workers.length < this.size) {
      const entry = this.spawn();
      entry.messages++;
      entry.worker.ref();
      entry.worker.postMessage({ requests: [], warm: true } satisfies DecodeMessage);
    }
  }

  async destroy(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const target = this.pickWorker();
      if (!target) return;
      // An even share of what waits, so one worker does not take every tile while another idles.
      const share = Math.min(TILES_PER_MESSAGE, Math.ceil(this.queue.length / Math.max(1, this.size)));
      const tasks = this.queue.splice(0, share);
      // As many spare buffers as tiles go along: the worker decodes these tiles into them.
      const recycle = this.recycler.take(tasks.length);
      const transfer: ArrayBuffer[] = [...recycle];
      const requests: DecodeRequest[] = [];
      for (const task of tasks) {
        target.inFlight.set(task.request.id, task);
        if (target.codecs.has(task.request.codecId)) {
          requests.push(task.request);
        } else {
          rememberCodec(target.codecs, task.request.codecId, true);
          requests.push({ ...task.request, codec: task.codec });
        }
        // The tile bytes are ours alone: transfer instead of copying.
        const { bytes } = task.request;
        if (bytes instanceof Uint8Array && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) transfer.push(bytes.buffer as ArrayBuffer);
      }
      target.messages++;
      target.worker.ref();
      const message: DecodeMessage = recycle.length > 0 ? { requests, recycle } : { requests };
      target.worker.postMessage(message, transfer);
    }
  }

  private pickWorker(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const w of this.workers) if (!best || w.messages < best.messages) best = w;
    if (best && best.messages === 0) return best;
    if (this.workers.length < this.size) return this.spawn();
    return best && best.messages < PER_WORKER ? best : undefined;
  }

  private spawn(): PoolWorker {
    const worker = new Worker(this.script!);
    const entry: PoolWorker = { worker, inFlight: new Map(), messages: 0, codecs: new Map() };
    worker.on('message', (reply: DecodeReply) => {
      entry.messages = Math.max(0, entry.messages - 1);
      for (const res of reply) {
        const task = entry.inFlight.get(res.id);
        if (!task) continue;
        entry.inFlight.delete(res.id);
        if (res.error !== undefined) task.reject(res.readFailed ? new TileReadError(res.error) : new Error(res.error));
        else {
          if (task.forCache) this.recycler.adopt(res.data);
          task.resolve({ width: res.width, height: res.height, data: res.data });
        }
      }
      if (entry.inFlight.size === 0) worker.unref();
      this.pump();
    });
    const fail = (err: Error): void => {
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
      for (const task of entry.inFlight.values()) task.reject(new Error(`decode worker failed: ${err.message}`));
      entry.inFlight.clear();
      entry.messages = 0;
      void worker.terminate();
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (entry.inFlight.size > 0) fail(new Error(`exited with code ${code}`));
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
    });
    worker.unref();
    this.workers.push(entry);
    return entry;
  }
}

function defaultPoolSize(): number {
  const fromEnv = Number(process.env.HISTO_DECODE_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 0) return fromEnv;
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}

/** The built worker bundle; HISTO_SLIDE_DECODE_WORKER overrides it (scripts/run-ts.mjs sets it). */
function resolveWorkerScript(): string | null {
  const override = process.env.HISTO_SLIDE_DECODE_WORKER;
  if (override) return fs.existsSync(override) ? override : null;
  try {
    const script = workerScript('tile-decode');
    return fs.existsSync(script) ? script : null;
  } catch {
    return null;
  }
}

let shared: DecodePool | undefined;

/** The process-wide pool every slide decodes through. */
export function sharedDecodePool(): DecodePool {
  return (shared ??= new DecodePool());
}
