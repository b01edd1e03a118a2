import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../app-root';
import { decodeTile } from './codecs/decode-tile';
import type { RgbImage } from './slide-source';
import type { TileCodec } from './tiff/tiff-image';

export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  codec: TileCodec;
}

export type DecodeResponse =
  | { id: number; width: number; height: number; data: Uint8Array; error?: undefined }
  | { id: number; error: string };

interface Pending {
  request: DecodeRequest;
  resolve: (image: RgbImage) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

/** Tasks queued per worker: two keeps each busy while the next tile's bytes travel. */
const PER_WORKER = 2;

/**
 * A pool of decode worker threads shared by every open slide. Falls back to decoding on the
 * calling thread when the worker bundle is absent (sources run without a build). Idle workers do
 * not keep the process alive.
 */
export class DecodePool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private readonly script: string | null;

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

  decode(bytes: Uint8Array, codec: TileCodec): Promise<RgbImage> {
    if (!this.threaded) return decodeTile(bytes, codec);
    return new Promise<RgbImage>((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, bytes, codec }, resolve, reject });
      this.pump();
    });
  }

  async destroy(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const target = this.pickWorker();
      if (!target) return;
      const task = this.queue.shift()!;
      target.inFlight.set(task.request.id, task);
      target.worker.ref();
      // The tile bytes are ours alone: transfer instead of copying.
      const transferable = task.request.bytes.byteOffset === 0 && task.request.bytes.byteLength === task.request.bytes.buffer.byteLength;
      target.worker.postMessage(task.request, transferable ? [task.request.bytes.buffer as ArrayBuffer] : []);
    }
  }

  private pickWorker(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const w of this.workers) if (!best || w.inFlight.size < best.inFlight.size) best = w;
    if (best && best.inFlight.size === 0) return best;
    if (this.workers.length < this.size) return this.spawn();
    return best && best.inFlight.size < PER_WORKER ? best : undefined;
  }

  private spawn(): PoolWorker {
    const worker = new Worker(this.script!);
    const entry: PoolWorker = { worker, inFlight: new Map() };
    worker.on('message', (res: DecodeResponse) => {
      const task = entry.inFlight.get(res.id);
      if (!task) return;
      entry.inFlight.delete(res.id);
      if (entry.inFlight.size === 0) worker.unref();
      if (res.error !== undefined) task.reject(new Error(res.error));
      else task.resolve({ width: res.width, height: res.height, data: res.data });
      this.pump();
    });
    const fail = (err: Error): void => {
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
      for (const task of entry.inFlight.values()) task.reject(new Error(`decode worker failed: ${err.message}`));
      entry.inFlight.clear();
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
