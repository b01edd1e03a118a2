import os from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { nodeRequire } from '../node-require';
import { CANCEL, HELPER_SOURCE, SLOTS, STATE, WAKE } from './block-decode-helper';
import { simdModuleBytes } from './simd-module';

/**
 * Stored vector blocks read and decoded on helper threads, one per core, while the scanning thread
 * consumes them in order (see block-decode-helper.ts for the protocol). One thread alternates
 * between SQLite's BLOB copies and the float16 decode, about half of a scan's time each; two
 * helpers each doing both for every other block roughly double a scan's rate on two cores.
 *
 * The helpers are started once per process and serve one scan at a time: a scan that finds them
 * busy (another scan of this thread suspended between chunks) gets null and reads on its own.
 */

/** A block to produce: its row id and how many vectors it holds. */
export interface BlockRef {
  id: number;
  count: number;
}

/**
 * Blocks go to the helpers in groups of up to this many vectors, one hand-over per group: extraction
 * writes blocks of 32 by default, and a hand-over per block cost a quarter of the rate.
 */
const GROUP_VECTORS = 256;
/** Groups in flight per helper: one being consumed, one ready, one being decoded. */
const SLOTS_PER_HELPER = 3;
/** Shared memory each helper may be given (64 KiB pages, reserved up front): room for blocks of 9,000 1024-d vectors; larger blocks are read serially. */
const MAX_PAGES = 2048;
/** A scan waits this long for one block before it stops using the helpers and reads the rest itself. */
const BLOCK_TIMEOUT_MS = 30_000;

/** The part of the WebAssembly API used here (the core's TypeScript lib has no WebAssembly types). */
interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => SharedMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Helper {
  worker: Worker;
  port: MessagePort;
  ctrl: Int32Array;
  memory: SharedMemory;
  dead: boolean;
}

let helpers: Helper[] | null = null;
let busy = false;
/** Blocks the helpers decoded since the process started (tests check the helpers really worked). */
let decodedByHelpers = 0;

export function blocksDecodedByHelpers(): number {
  return decodedByHelpers;
}

function helperCount(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.min(4, cores);
}

function startHelper(moduleBytes: Uint8Array): Helper {
  const { port1, port2 } = new MessageChannel();
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + SLOTS_PER_HELPER)));
  const worker = new Worker(HELPER_SOURCE, {
    eval: true,
    workerData: { sqlitePath: nodeRequire.resolve('better-sqlite3'), port: port2, ctrl, moduleBytes },
    transferList: [port2],
  });
  const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const helper: Helper = { worker, port: port1, ctrl, memory, dead: false };
  worker.unref();
  port1.unref();
  const die = () => {
    helper.dead = true;
  };
  worker.on('error', die);
  worker.on('exit', die);
  return helper;
}

/** The helpers, started on first use (again after one died); null where they cannot help (one core, no WebAssembly SIMD). */
function pool(): Helper[] | null {
  if (helpers?.some((h) => h.dead)) {
    for (const helper of helpers) void helper.worker.terminate();
    helpers = null;
  }
  if (helpers) return helpers;
  if (process.env.HISTO_SERIAL_SCAN === '1' || helperCount() < 2) return null;
  const moduleBytes = simdModuleBytes(MAX_PAGES);
  if (!wasm.validate(moduleBytes)) return null;
  helpers = Array.from({ length: helperCount() }, () => startHelper(moduleBytes));
  return helpers;
}

/** Consecutive blocks of about GROUP_VECTORS vectors (a larger block alone): what one slot holds. */
function groupsOf(blocks: readonly BlockRef[]): Array<{ start: number; end: number; vectors: number }> {
  const groups: Array<{ start: number; end: number; vectors: number }> = [];
  for (let start = 0; start < blocks.length; ) {
    let end = start;
    let vectors = 0;
    while (end < blocks.length && (end === start || vectors + blocks[end]!.count <= GROUP_VECTORS)) vectors += blocks[end++]!.count;
    groups.push({ start, end, vectors });
    start = end;
  }
  return groups;
}

function waitFor(ctrl: Int32Array, index: number, until: (value: number) => boolean, timeoutMs: number): boolean {
  const deadline = performance.now() + timeoutMs;
  for (let v = Atomics.load(ctrl, index); !until(v); v = Atomics.load(ctrl, index)) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(ctrl, index, v, Math.min(left, 1000));
  }
  return true;
}

/** One block as produced: its tile ids (its own copy) and vectors (a view valid until the next block is asked for). */
export interface DecodedBlock {
  tileIds: Int32Array;
  vectors: Float32Array;
}

/** A scan under way on the helpers: its blocks in order, and how to end it early. */
export interface ParallelScan {
  blocks: Generator<DecodedBlock>;
  /** Ends the scan (the helpers are working from the start): needed only when `blocks` was never iterated to its end or returned. */
  stop(): void;
}

/**
 * Starts reading `blocks` (tile ids, then `dim`-d float16 or float32 vectors, as `sql` returns them
 * for a block id) on the helpers; `readOwn(i)` produces block i on this thread instead, for the
 * blocks a helper could not (a changed or damaged block: readOwn reports it as the serial scan
 * would). Null when the helpers are unavailable or busy: the caller reads serially.
 */
export function decodeBlocksInParallel(
  file: string,
  sql: string,
  blocks: readonly BlockRef[],
  dim: number,
  readOwn: (index: number) => DecodedBlock,
): ParallelScan | null {
  if (busy || dim % 8 !== 0 || blocks.length < 2 || blocks.some((b) => b.count <= 0)) return null;
  const all = pool();
  if (!all) return null;
  const groups = groupsOf(blocks);
  const maxCount = blocks.reduce((m, b) => Math.max(m, b.count), 0);
  const inputBytes = (maxCount * dim * 2 + 15) & ~15;
  // A slot: the group's tile ids, then its vectors.
  const groupVectors = groups.reduce((m, g) => Math.max(m, g.vectors), 0);
  const tileBytes = (groupVectors * 4 + 15) & ~15;
  const slotBytes = tileBytes + ((groupVectors * dim * 4 + 15) & ~15);
  const pages = Math.ceil((inputBytes + SLOTS_PER_HELPER * slotBytes) / 65536);
  if (pages > MAX_PAGES) return null;
  const used = all.slice(0, Math.min(all.length, groups.length));
  for (const helper of used) {
    const missing = pages - helper.memory.buffer.byteLength / 65536;
    if (missing > 0) helper.memory.grow(missing);
  }
  busy = true;
  used.forEach((helper, h) => {
    const share = groups.filter((_, g) => g % used.length === h);
    const mine = share.flatMap((g) => blocks.slice(g.start, g.end));
    let end = 0;
    helper.ctrl.fill(0, SLOTS);
    Atomics.store(helper.ctrl, CANCEL, 0);
    Atomics.store(helper.ctrl, STATE, 1);
    helper.port.postMessage({
      type: 'scan',
      file,
      sql,
      ids: Int32Array.from(mine, (b) => b.id),
      counts: Int32Array.from(mine, (b) => b.count),
      groupEnds: Int32Array.from(share, (g) => (end += g.end - g.start)),
      dim,
      slots: SLOTS_PER_HELPER,
      inputOffset: 0,
      slotOffset: inputBytes,
      slotBytes,
      tileBytes,
      memory: helper.memory,
    });
    Atomics.add(helper.ctrl, WAKE, 1);
    Atomics.notify(helper.ctrl, WAKE);
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const helper of used) {
      Atomics.store(helper.ctrl, CANCEL, 1);
      for (let s = 0; s < SLOTS_PER_HELPER; s++) Atomics.notify(helper.ctrl, SLOTS + s);
    }
    // A helper still inside a scan after this would take the next scan's slots: such a pool is retired.
    const idle = used.every((helper) => waitFor(helper.ctrl, STATE, (v) => v === 0, BLOCK_TIMEOUT_MS));
    if (!idle) for (const helper of used) helper.dead = true;
    busy = false;
  };
  const produced = (function* () {
    let helped = true;
    try {
      for (const [g, group] of groups.entries()) {
        const helper = used[g % used.length]!;
        const k = Math.floor(g / used.length);
        const flag = SLOTS + (k % SLOTS_PER_HELPER);
        if (helped && !waitFor(helper.ctrl, flag, (v) => v !== 0, BLOCK_TIMEOUT_MS)) helped = false;
        const ready = helped ? Atomics.load(helper.ctrl, flag) > 0 : false;
        const slot = inputBytes + (k % SLOTS_PER_HELPER) * slotBytes;
        for (let i = group.start, tilesAt = slot, at = slot + tileBytes; i < group.end; i++) {
          const count = blocks[i]!.count;
          if (ready) decodedByHelpers++;
          yield ready ? { tileIds: new Int32Array(helper.memory.buffer, tilesAt, count).slice(), vectors: new Float32Array(helper.memory.buffer, at, count * dim) } : readOwn(i);
          tilesAt += count * 4;
          at += count * dim * 4;
        }
        if (helped) {
          Atomics.store(helper.ctrl, flag, 0);
          Atomics.notify(helper.ctrl, flag);
        }
      }
    } finally {
      stop();
    }
  })();
  return { blocks: produced, stop };
}
