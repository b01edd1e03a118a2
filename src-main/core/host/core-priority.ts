import fs from 'node:fs';
import os from 'node:os';

/**
 * Gives the core's thread a lower scheduling priority than the shell's, so that on a busy machine
 * the thread that routes UI messages is scheduled first. Threads the core starts afterwards (its
 * workers, ONNX Runtime's pools) inherit it on Linux, where a nice value belongs to a thread: there
 * the core lowers only its own thread (/proc/thread-self names it). Elsewhere only a core in its
 * own process (the Electron utility process) lowers itself, because a priority there belongs to the
 * whole process, the shell included when the core is a worker thread. Below normal is nice 10 on
 * Linux: measured on a loaded 2-core machine, nice 5 left the routing thread's p99 delay near 50 ms
 * where nice 10 kept it near 40. Where sessions are autogrouped (desktop Linux) it only orders the
 * app's own threads, not the app against other programs. Best effort: a refusal keeps the normal priority.
 */
export function lowerCorePriority(ownProcess: boolean): void {
  try {
    if (process.platform === 'linux') {
      const threadId = Number(lastPart(fs.readlinkSync('/proc/thread-self')));
      if (Number.isInteger(threadId) && threadId > 0) os.setPriority(threadId, os.constants.priority.PRIORITY_BELOW_NORMAL);
    } else if (ownProcess) {
      os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL);
    }
  } catch {
    // Not permitted or not supported: run at normal priority.
  }
}

/** The last part of `<pid>/task/<tid>`. */
function lastPart(link: string): string {
  return link.slice(link.lastIndexOf('/') + 1);
}
