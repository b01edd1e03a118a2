/**
 * Source of a helper thread behind decodeBlocksInParallel (parallel-block-decoder.ts). Each helper
 * reads its share of a scan's stored vector blocks (tile ids and vectors) through its own read-only
 * SQLite connection, and copies the tile ids and decodes the vectors into slots of a shared WebAssembly memory, where the scanning thread reads them in
 * place: reading and decoding run on every core while the scanning thread only consumes.
 *
 * Protocol, through `ctrl` (Int32Array over shared memory) and a MessagePort read synchronously:
 *   ctrl[WAKE]    the scanning thread adds 1 after posting a 'scan' message (a
 *                 helper ends with its process, or when the pool terminates it)
 *   ctrl[STATE]   1 while a scan runs (set by the scanning thread before it posts), 0 when done
 *   ctrl[CANCEL]  1: leave the scan at the next block
 *   ctrl[SLOTS + s]  slot s: 0 free, n > 0 holds n decoded vectors, -1 this helper could not
 *                 produce a block of the group (the scanning thread reads the group's blocks itself
 *                 and reports any error)
 * A helper's share is groups of consecutive blocks; its k-th group goes to slot k % slots, so the
 * scanning thread, which frees each slot after use, always knows where a helper's next group appears.
 */
export const WAKE = 0;
export const STATE = 1;
export const CANCEL = 2;
export const SLOTS = 3;

export const HELPER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { sqlitePath, port, ctrl, moduleBytes } = workerData;
const Database = require(sqlitePath);
const module = new WebAssembly.Module(moduleBytes);

function scan(job) {
  const { file, sql, ids, counts, groupEnds, dim, slots, inputOffset, slotOffset, slotBytes, tileBytes, memory } = job;
  let db = null;
  let read = null;
  let decode = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    read = db.prepare(sql).raw();
    decode = new WebAssembly.Instance(module, { env: { memory } }).exports.decode;
  } catch {
    // Every block is then marked -1: the scanning thread reads them itself and names any problem.
  }
  const bytesOf = (count) => count * dim * 2;
  let block = 0;
  try {
    for (let k = 0; k < groupEnds.length; k++) {
      const flag = ${SLOTS} + (k % slots);
      for (let v; (v = Atomics.load(ctrl, flag)) !== 0; ) {
        if (Atomics.load(ctrl, ${CANCEL}) !== 0) return;
        // Bounded: a cancel that lands between the check above and this wait needs no notify.
        Atomics.wait(ctrl, flag, v, 100);
      }
      if (Atomics.load(ctrl, ${CANCEL}) !== 0) return;
      // The group's tile ids, then its vectors, block after block in the slot; any block it cannot produce fails the group.
      let tilesAt = slotOffset + (k % slots) * slotBytes;
      let target = tilesAt + tileBytes;
      let result = 0;
      for (; block < groupEnds[k]; block++) {
        if (result < 0) continue;
        const count = counts[block];
        try {
          const row = read && read.get(ids[block]);
          if (!row || row[1].byteLength !== count * 4) {
            result = -1;
            continue;
          }
          if (row[0] === 'float16' && row[2].byteLength === bytesOf(count)) {
            new Uint8Array(memory.buffer, inputOffset, row[2].byteLength).set(row[2]);
            decode(inputOffset, target, count * dim);
          } else if (row[0] === 'float32' && row[2].byteLength === count * dim * 4) {
            new Uint8Array(memory.buffer, target, row[2].byteLength).set(row[2]);
          } else {
            result = -1;
            continue;
          }
          new Uint8Array(memory.buffer, tilesAt, row[1].byteLength).set(row[1]);
          tilesAt += count * 4;
          target += count * dim * 4;
          result += count;
        } catch {
          result = -1;
        }
      }
      Atomics.store(ctrl, flag, result);
      Atomics.notify(ctrl, flag);
    }
  } finally {
    try {
      if (db) db.close();
    } catch {}
  }
}

for (let seen = 0; ; ) {
  Atomics.wait(ctrl, ${WAKE}, seen);
  seen = Atomics.load(ctrl, ${WAKE});
  for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) {
    try {
      scan(msg.message);
    } finally {
      Atomics.store(ctrl, ${STATE}, 0);
      Atomics.notify(ctrl, ${STATE});
    }
  }
}
`;
