/**
 * Source of the helper thread behind SyncOrt (sync-ort.ts). One helper serves one SyncOrt at a time
 * and then goes back to a pool, so ONNX Runtime is loaded once per thread and a graph seen before
 * (same bytes, same thread count) reuses its session: a fit pays the helper's start once per
 * process, not once per fit (0.1-0.6 s, as long as a whole 2-class logistic regression).
 *
 * Protocol, all through `ctrl` (Int32Array over shared memory) and a MessagePort read synchronously:
 *   ctrl[0] wake-up counter: the caller adds 1 after each request
 *   ctrl[1] last run generation done       ctrl[2] state: 0 opening, 1 ready, 2 failed
 *   ctrl[3] last run generation requested
 * 'open' and 'close' arrive as port messages, in order; runs are generations in ctrl[3]. On close
 * the helper hands its private copies back over the port (see release()) and, if the session was
 * handed much shared memory, collects its garbage (see collect). A run with
 * no `driver` feeds the declared inputs to session.run and copies the outputs back; a driver (the
 * source of a function of ort, session, inputs, outputs that returns an async function) does
 * whatever one request means to it, e.g. a whole training epoch of many session runs.
 */
export const MAX_RANK = 4;
export const CACHED_SESSIONS = 2;
/** A closed session that was handed more shared memory than this is followed by a collection. */
const COLLECT_SHARED_BYTES = 16 * 1024 * 1024;
/** Compiled epoch drivers kept per helper: a fit of the same shape reuses the code V8 optimised for the last. */
const CACHED_DRIVERS = 4;

export const HELPER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ortPath, port, ctrl, errorText, flagLock } = workerData;
let ort;
// An idle helper blocks in Atomics.wait and never collects garbage, so the shared memory a closed
// session was handed (a whole training matrix) would stay allocated for as long as the helper sits
// in the pool: on such a close it collects at once (a few ms). V8's gc function is taken with the
// flag set only for that moment, unless the process already exposes it. V8's flags belong to the
// whole process, so helpers starting together take turns (flagLock); where it fails the helper
// does without (it would only keep memory longer), rather than fail to start.
function takeGc() {
  if (typeof gc === 'function') return gc;
  while (Atomics.compareExchange(flagLock, 0, 0, 1) !== 0) Atomics.wait(flagLock, 0, 1, 10);
  const v8 = require('node:v8');
  try {
    v8.setFlagsFromString('--expose-gc');
    return require('node:vm').runInNewContext('gc');
  } catch {
    return () => undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
    Atomics.store(flagLock, 0, 0);
    Atomics.notify(flagLock, 0);
  }
}
const collect = takeGc();
const COLLECT_SHARED_BYTES = ${COLLECT_SHARED_BYTES};
let sharedBytes = 0;
function fail(err) {
  const bytes = new TextEncoder().encode(String(err && err.message ? err.message : err)).subarray(0, errorText.length);
  errorText.fill(0);
  errorText.set(bytes);
  Atomics.store(ctrl, 2, 2);
}
function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
// Sessions of graphs seen before, newest last: their inputs are run-time inputs, not weights, so a
// session serves any data of its graph.
const cache = [];
async function session(model, threads) {
  const hit = cache.findIndex((c) => c.threads === threads && sameBytes(c.model, model));
  if (hit >= 0) {
    const [entry] = cache.splice(hit, 1);
    cache.push(entry);
    return entry.session;
  }
  ort ??= require(ortPath);
  const created = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    // Between two runs the caller updates weights: spinning threads would only take the core from it.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
  cache.push({ model, threads, session: created });
  while (cache.length > ${CACHED_SESSIONS}) await cache.shift().session.release();
  return created;
}
// ONNX Runtime refuses tensors over shared memory: each input gets a private copy, refreshed before
// every run unless it is fixed (then handed over once, when the session opens). A driver reads the
// shared inputs itself: only the fixed ones (withShared false).
function privateInputs(inputs, withShared) {
  return inputs.map((input) => {
    const Type = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array }[input.type];
    if (!input.fixed && !withShared) return null;
    if (input.fixed && input.data instanceof Type && !(input.data.buffer instanceof SharedArrayBuffer)) return input.data;
    // (A fixed float64 input may be handed over as float32 and widened here, once.)
    const copy = new Type(input.data.length);
    if (input.fixed) copy.set(input.data);
    return copy;
  });
}
// The private copies of the open session's fixed inputs. On close they go back to the calling
// thread, which reuses the large ones for the next session's copies for a moment and then lets them
// go: an idle helper blocked in Atomics.wait never collects its own garbage, and a row matrix can
// weigh hundreds of megabytes.
let owned = [];
function release() {
  const buffers = [...new Set(owned.map((a) => a.buffer))].filter((b) => !(b instanceof SharedArrayBuffer) && b.byteLength > 0);
  owned = [];
  if (buffers.length > 0) port.postMessage(buffers, buffers);
}
// Drivers by source, newest last. The closures a cached driver makes share their optimised code
// with the last fit's, so a fit does not start in the interpreter again.
const drivers = [];
function driver(source) {
  const hit = drivers.findIndex((d) => d.source === source);
  const entry = hit >= 0 ? drivers.splice(hit, 1)[0] : { source, make: new Function('ort', 'session', 'inputs', 'outputs', source) };
  drivers.push(entry);
  if (drivers.length > ${CACHED_DRIVERS}) drivers.shift();
  return entry.make;
}
async function open(spec) {
  const s = await session(spec.model, spec.threads);
  const local = privateInputs(spec.inputs, !spec.driver);
  owned = local.filter((a) => a !== null);
  sharedBytes = spec.inputs.reduce((sum, input) => sum + (input.fixed ? 0 : input.data.byteLength), 0);
  if (spec.driver) {
    const named = (list, arrays) => Object.fromEntries(list.map((item, i) => [item.name, arrays[i]]));
    const inputs = named(spec.inputs, spec.inputs.map((input, i) => (input.fixed ? local[i] : input.data)));
    return driver(spec.driver)(ort, s, inputs, named(spec.outputs, spec.outputs.map((o) => o.data)));
  }
  return async () => {
    const feeds = {};
    spec.inputs.forEach((input, i) => {
      const dims = Array.from(spec.shapes.subarray(i * ${MAX_RANK}, i * ${MAX_RANK} + input.rank));
      const count = dims.reduce((a, b) => a * b, 1);
      if (!input.fixed) local[i].set(input.data.subarray(0, count));
      feeds[input.name] = new ort.Tensor(input.type, local[i].subarray(0, count), dims);
    });
    const result = await s.run(feeds);
    for (const output of spec.outputs) {
      const data = result[output.name].data;
      if (data.length > output.data.length) throw new Error('output ' + output.name + ' has ' + data.length + ' values, room for ' + output.data.length);
      output.data.set(data);
    }
  };
}
(async () => {
  let run = null;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, 0, seen);
    seen = Atomics.load(ctrl, 0);
    for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) {
      const request = msg.message;
      if (request.type === 'stop') {
        for (const c of cache) await c.session.release();
        return;
      }
      run = null;
      release();
      if (sharedBytes > COLLECT_SHARED_BYTES) collect();
      sharedBytes = 0;
      if (request.type !== 'open') continue;
      try {
        run = await open(request);
        Atomics.store(ctrl, 2, 1);
      } catch (err) {
        fail(err);
      }
      Atomics.notify(ctrl, 1);
    }
    const generation = Atomics.load(ctrl, 3);
    if (generation <= Atomics.load(ctrl, 1)) continue;
    try {
      if (!run) throw new Error('no session is open');
      await run();
    } catch (err) {
      fail(err);
    }
    Atomics.store(ctrl, 1, generation);
    Atomics.notify(ctrl, 1);
  }
})();
`;
